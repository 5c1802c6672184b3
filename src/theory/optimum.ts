// The best permutation-symmetric model L*(p, r) (docs/theory.md §4) and the baselines it is compared with.
import { checkFeatureProbability, checkRatio, dataVariance, symmetricLoss } from './loss.js';
import { sparseLimitOptimum } from './sparseLimit.js';

export interface SymmetricOptimum {
  /** L*(p, r), per-feature MSE */
  loss: number;
  /** optimal diagonal weight */
  a: number;
  /** optimal effective bias c = b + E nu */
  c: number;
  /** off-diagonal row norm on the rank bound, |a| sqrt((1 - r) / r) */
  sigma: number;
  /** kappa = sqrt((1 / r - 1) v): interference sd per unit diagonal */
  kappa: number;
}

/** kappa^2 = (1 / r - 1) v(p). */
export function kappaSquared(p: number, r: number): number {
  return (1 / r - 1) * dataVariance(p);
}

/** L along the rank bound sigma = |a| sqrt((1 - r) / r). */
export function rankBoundLoss(a: number, c: number, p: number, r: number): number {
  return symmetricLoss(a, c, Math.abs(a) * Math.sqrt((1 - r) / r), p);
}

/** Output 0: E x^2 = p / 3. */
export function zeroLoss(p: number): number {
  checkFeatureProbability(p);
  return p / 3;
}

/** Best constant output (E x = p / 2): v = p / 3 - p^2 / 4. */
export function constantLoss(p: number): number {
  checkFeatureProbability(p);
  return dataVariance(p);
}

/** Best rank-m linear autoencoder with bias on i.i.d. coordinates: (1 - r) v (PCA keeps a fraction r of the variance). */
export function linearLoss(p: number, r: number): number {
  checkFeatureProbability(p);
  checkRatio(r);
  return (1 - r) * dataVariance(p);
}

/**
 * The paper code's linear baseline (n - m - 1) p / (3 n): the paper-code variant, built on E x^2 = p / 3 instead
 * of v, which overstates the best linear loss (1 - r) v whenever p > 4 / (3 n (1 - r)) (most of the paper's grid)
 * and understates it slightly below that.
 */
export function paperCodeLinearLoss(nFeatures: number, nHidden: number, p: number): number {
  checkFeatureProbability(p);
  if (!(Number.isInteger(nFeatures) && nFeatures >= 1)) throw new RangeError(`nFeatures = ${nFeatures} is outside [1, inf) (integer)`);
  if (!(Number.isInteger(nHidden) && nHidden >= 1 && nHidden <= nFeatures)) {
    throw new RangeError(`nHidden = ${nHidden} is outside [1, ${nFeatures}] (integer)`);
  }
  return ((nFeatures - nHidden - 1) * p) / (3 * nFeatures);
}

/** Largest kappa for which optimalSymmetricLoss uses the p -> 0 limit instead of the search. */
export const SPARSE_LIMIT_KAPPA = 1e-10;

/** Grid of the first search stage: a in [-0.25, 3], c = 0 and +- a geometric ladder 1e-7 .. 3. */
const A_GRID = (() => {
  const values = [-0.25, -0.05, 0];
  for (let k = -4; k <= 0; k += 0.25) values.push(10 ** k);
  for (let a = 1.1; a <= 3.0001; a += 0.1) values.push(a);
  return values;
})();
const C_LADDER = (() => {
  const ladder: number[] = [];
  for (let k = -7; k <= Math.log10(3) + 1e-9; k += 0.25) ladder.push(10 ** k);
  return ladder;
})();

/** c grid: 0, +- the absolute ladder, and +- scale 10^k (k = -2 .. 1.5) for the interference scale s = sqrt(v (1 - r) / r). */
function cGrid(scale: number): number[] {
  const ladder = [...C_LADDER];
  if (scale > 0) for (let k = -2; k <= 1.5; k += 0.25) ladder.push(scale * 10 ** k);
  ladder.sort((x, y) => x - y);
  return [...ladder.map((c) => -c).reverse(), 0, ...ladder];
}

/**
 * Nelder-Mead on f(a, c) from `start` with initial steps `steps`; stops when the simplex's values agree to
 * 1e-15 relative and its extent is below 1e-9 `scales` per coordinate, or the extent is below 1e-15 `scales`,
 * or after 4000 iterations.
 */
function nelderMead(
  f: (a: number, c: number) => number, start: [number, number], steps: [number, number], scales: [number, number],
): { point: [number, number]; value: number } {
  const make = (point: [number, number]) => ({ point, value: f(point[0], point[1]) });
  const simplex = [
    make(start),
    make([start[0] + steps[0], start[1]]),
    make([start[0], start[1] + steps[1]]),
  ];
  const along = (from: [number, number], to: [number, number], t: number): [number, number] => [
    from[0] + t * (to[0] - from[0]),
    from[1] + t * (to[1] - from[1]),
  ];
  for (let iteration = 0; iteration < 4000; iteration++) {
    simplex.sort((x, y) => x.value - y.value);
    const [best, middle, worst] = simplex;
    const spread = worst.value - best.value;
    let extent = 0;
    for (let d = 0; d < 2; d++) {
      const e = Math.max(Math.abs(worst.point[d] - best.point[d]), Math.abs(middle.point[d] - best.point[d])) / scales[d];
      extent = Math.max(extent, e);
    }
    if ((spread <= 1e-15 * Math.abs(best.value) && extent < 1e-9) || extent < 1e-15) break;
    const centroid: [number, number] = [(best.point[0] + middle.point[0]) / 2, (best.point[1] + middle.point[1]) / 2];
    const reflected = make(along(centroid, worst.point, -1));
    if (reflected.value < best.value) {
      const expanded = make(along(centroid, worst.point, -2));
      simplex[2] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < middle.value) {
      simplex[2] = reflected;
    } else {
      const contracted = reflected.value < worst.value
        ? make(along(centroid, worst.point, -0.5))
        : make(along(centroid, worst.point, 0.5));
      if (contracted.value < Math.min(reflected.value, worst.value)) {
        simplex[2] = contracted;
      } else {
        simplex[1] = make(along(best.point, middle.point, 0.5));
        simplex[2] = make(along(best.point, worst.point, 0.5));
      }
    }
  }
  simplex.sort((x, y) => x.value - y.value);
  return simplex[0];
}

/**
 * L*(p, r) = min over (a, c) of L(a, c, sigma = |a| sqrt((1 - r) / r); p)   (docs/theory.md §4), p and r in (0, 1].
 *
 * Search: the loss on a 49 x 97 grid (a in [-0.25, 3]; c = 0, +-[1e-7, 3] geometric and +-kappa [0.01, 30]
 * geometric, quarter decades), then Nelder-Mead
 * from the best grid point of each branch (a <= 0.5: the linear-like branch; a > 0.5: the a ~ 1, c < 0
 * branch) and from the overall best; the smallest result wins. The tests check it against finer grids.
 * r = 1 gives sigma = 0 and L* = 0 at a = 1, c = 0.
 *
 * Where kappa <= SPARSE_LIMIT_KAPPA (p <~ 1e-20 at r = 0.25) the optimal a - 1 ~ kappa sqrt(ln(1/p)) nears the f64
 * resolution of a and the search cannot resolve it; there the p -> 0 limit (sparseLimit.ts) gives
 * L* = p kappa^2 G(p), a = 1 + epsilon kappa, c = -tau a kappa, in bounded time down to p = 5e-324. Its relative
 * error is 0.42 kappa tau (measured against this search at p = 1e-6 .. 1e-20, r = 0.01 .. 0.999, where it falls
 * linearly with kappa), so < 2e-9 where it is used. Below p ~ 1e-154 L* ~ p^2 is under the smallest normal double:
 * the loss is then denormal or 0 (its exact value is below what f64 can hold); a, c, sigma and kappa stay accurate.
 * With p that small and kappa > 1e-10 (r within ~1e20 of p) the search runs on denormal losses: bounded in time,
 * finite, but no accuracy is claimed there.
 */
export function optimalSymmetricLoss(p: number, r: number): SymmetricOptimum {
  checkFeatureProbability(p);
  checkRatio(r);
  const slope = Math.sqrt((1 - r) / r);
  // kappa = sqrt((1/r - 1) v) with v = p (1/3 - p/4) factored so that a denormal p keeps its precision.
  const kappa = Math.sqrt(p) * Math.sqrt((1 / r - 1) * (1 / 3 - p / 4));
  if (kappa > 0 && kappa <= SPARSE_LIMIT_KAPPA) {
    const limit = sparseLimitOptimum(p);
    const a = 1 + limit.epsilon * kappa;
    return { loss: p * kappa * kappa * limit.scaledLoss, a, c: -limit.tau * a * kappa, sigma: a * slope, kappa };
  }
  const f = (a: number, c: number) => symmetricLoss(a, c, Math.abs(a) * slope, p);
  const C_GRID = cGrid(kappa);
  const cScale = Math.max(1e-3 * kappa, 1e-12);
  let bestSmall = { a: 0, c: 0, value: Infinity, i: 0, j: 0 };
  let bestLarge = { a: 1, c: 0, value: Infinity, i: 0, j: 0 };
  for (let i = 0; i < A_GRID.length; i++) {
    for (let j = 0; j < C_GRID.length; j++) {
      const a = A_GRID[i];
      const c = C_GRID[j];
      const value = f(a, c);
      if (a <= 0.5 && value < bestSmall.value) bestSmall = { a, c, value, i, j };
      if (a > 0.5 && value < bestLarge.value) bestLarge = { a, c, value, i, j };
    }
  }
  let best = { point: [0, 0] as [number, number], value: Infinity };
  for (const start of [bestSmall, bestLarge]) {
    const da = Math.max(Math.abs(A_GRID[Math.min(start.i + 1, A_GRID.length - 1)] - start.a), 1e-4);
    const dc = Math.max(Math.abs(C_GRID[Math.min(start.j + 1, C_GRID.length - 1)] - start.c), cScale);
    let result = nelderMead(f, [start.a, start.c], [da, dc], [1, cScale]);
    // A restart from the converged point with fresh steps guards against a collapsed simplex.
    const [a0, c0] = result.point;
    result = nelderMead(f, result.point, [Math.max(1e-3 * Math.abs(a0), 1e-6), Math.max(1e-3 * Math.abs(c0), cScale)], [1, cScale]);
    if (result.value < best.value) best = result;
  }
  const [a, c] = best.point;
  return { loss: best.value, a, c, sigma: Math.abs(a) * slope, kappa };
}
