// Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n, f64), and a fixed-rule integrator.

export interface GaussLegendreRule {
  nodes: Float64Array;
  weights: Float64Array;
}

const cache = new Map<number, GaussLegendreRule>();

/**
 * n-point rule, exact for polynomials of degree <= 2n - 1; nodes and weights converge to within a few ulps
 * (Newton from the Tricomi initial guess, stopped when the step is below 1e-16).
 */
export function gaussLegendre(n: number): GaussLegendreRule {
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new RangeError(`n = ${n} is outside [1, 1000] (integer)`);
  const hit = cache.get(n);
  if (hit) return hit;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      // P_n(x) by the three-term recurrence k P_k = (2k - 1) x P_{k-1} - (k - 1) P_{k-2}.
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    const w = 2 / ((1 - x * x) * derivative * derivative);
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}

/** integral_lo^hi f(u) du by the n-point Gauss-Legendre rule on `panels` equal panels. */
export function integrate(f: (u: number) => number, lo: number, hi: number, n: number, panels = 1): number {
  const { nodes, weights } = gaussLegendre(n);
  const width = (hi - lo) / panels;
  let total = 0;
  for (let q = 0; q < panels; q++) {
    const mid = lo + (q + 0.5) * width;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i] * f(mid + 0.5 * width * nodes[i]);
    total += 0.5 * width * sum;
  }
  return total;
}
