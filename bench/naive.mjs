// A straightforward dense JS trainer, as a JS user would write it by hand: the "no tricks" baseline.
// Same model, loss and Adam as persian-rug (docs/theory.md §1); dense loops over every feature, no sparsity, no SIMD.

export function createNaiveTrainer({ n, m, p, batch, lr, seed = 1 }) {
  let state = seed >>> 0 || 1;
  const random = () => { state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0; return state / 4294967296; };
  const uniform = (count, bound) => Float32Array.from({ length: count }, () => (2 * random() - 1) * bound);
  const params = [uniform(m * n, 1 / Math.sqrt(n)), uniform(n * m, 1 / Math.sqrt(m)), uniform(n, 1 / Math.sqrt(m))];
  const [win, wout, bias] = params;
  const grads = params.map((q) => new Float32Array(q.length));
  const moments = params.map((q) => new Float32Array(q.length));
  const velocities = params.map((q) => new Float32Array(q.length));
  const x = new Float32Array(batch * n), h = new Float32Array(batch * m), pre = new Float32Array(batch * n);
  const dPre = new Float32Array(batch * n), dH = new Float32Array(batch * m);
  let t = 0;
  return function step() {
    for (let i = 0; i < batch * n; i++) x[i] = random() < p ? random() : 0;
    for (const g of grads) g.fill(0);
    let loss = 0;
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < m; k++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += win[k * n + j] * x[b * n + j];
        h[b * m + k] = s;
      }
      for (let i = 0; i < n; i++) {
        let s = bias[i];
        for (let k = 0; k < m; k++) s += wout[i * m + k] * h[b * m + k];
        pre[b * n + i] = s;
        const y = s > 0 ? s : 0;
        const d = y - x[b * n + i];
        loss += d * d;
        dPre[b * n + i] = s > 0 ? (2 * d) / (batch * n) : 0;
      }
      for (let k = 0; k < m; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += wout[i * m + k] * dPre[b * n + i];
        dH[b * m + k] = s;
      }
      for (let i = 0; i < n; i++) {
        grads[2][i] += dPre[b * n + i];
        for (let k = 0; k < m; k++) grads[1][i * m + k] += dPre[b * n + i] * h[b * m + k];
      }
      for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) grads[0][k * n + j] += dH[b * m + k] * x[b * n + j];
    }
    t++;
    const bc1 = 1 - 0.9 ** t, bc2 = 1 - 0.999 ** t;
    params.forEach((q, a) => {
      const g = grads[a], mo = moments[a], ve = velocities[a];
      for (let i = 0; i < q.length; i++) {
        mo[i] = 0.9 * mo[i] + 0.1 * g[i];
        ve[i] = 0.999 * ve[i] + 0.001 * g[i] * g[i];
        q[i] -= (lr / bc1) * mo[i] / (Math.sqrt(ve[i]) / Math.sqrt(bc2) + 1e-7);
      }
    });
    return loss / (batch * n);
  };
}
