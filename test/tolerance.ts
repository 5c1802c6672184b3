// Every numeric tolerance the suites use, in one place, with the reason for its size.

/**
 * wasm kernel vs its TS twin: f32 sums in a different order (SIMD lanes, tiles) against f64 sums
 * rounded once. |a - b| <= KERNEL.relative * scale + KERNEL.absolute, scale = sum of |terms| (or max |b|).
 */
export const KERNEL = { relative: 2e-6, absolute: 1e-7 } as const;

/** Same seed, wasm vs js backend after a short training run: f32 rounding differences compound through Adam. */
export const BACKEND_LOSS_RELATIVE = 1e-3;

/** Finite differences of an f64 loss vs the kernels' f32 gradients (central differences, h = 1e-3). */
export const GRADIENT = { relative: 2e-3, absolute: 2e-6 } as const;

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, absolute: number, what = 'value'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= relative * scale + absolute)) {
      throw new Error(`${what}[${i}] = ${actual[i]}, expected ${expected[i]} (|diff| ${err.toExponential(2)} > ${relative} * ${scale.toExponential(2)} + ${absolute})`);
    }
  }
}

/**
 * f32 fast Walsh-Hadamard transform (and the rug product built from two of them) vs the dense f64 product,
 * relative to max |expected|: log2(n) <= 12 rounded stages, each entry a sum of n terms of similar size, so
 * the error is ~ sqrt(log2 n) 2^-24 sqrt(n) rms(x) against max |H x| ~ sqrt(n) rms(x); measured <= 2e-7 up
 * to n = 4096 (30x margin).
 */
export const HADAMARD = { relative: 6e-6, absolute: 1e-7 } as const;

/**
 * Persian rug's Monte-Carlo loss with the theory's (A, mu) vs L*(p, r), allowed on top of 3 standard
 * errors: finite n (nu not exactly Gaussian with n p ~ 200 active features, one fixed row set) adds a
 * measured +0.2 .. +0.45% at n = 4096, m = 1024, p = 0.05 (row sets 0-2); 1% of L*.
 */
export const RUG_FINITE_SIZE_RELATIVE = 0.01;

/**
 * weightRows kernel vs its TS twin (src/reference/statistics.ts): each W_ij is an f32 sum of m <= 257 terms in
 * the kernel and an f64 sum rounded once in the twin, off by ~sqrt(m) 2^-24 sum_k |terms| (random-walk
 * rounding; <= 1e-6 of the row's largest entries on the test shapes). A power sum of k-th powers moves by at
 * most k times that relative amount; compared against sum_j |W_ij|^k (10x margin).
 */
export const WEIGHT_ROWS = { relative: 1e-5, absolute: 1e-12 } as const;

/**
 * modelStatistics with the wasm row pass (W in f32) vs the plain-TS pass (W in f64), small random models
 * (m <= 40): entries agree to ~1e-6 relative, so derived statistics (means, Deltas, moments, norms, losses, KS
 * statistics of the same samples) agree to ~1e-5 relative. |a - b| <= relative scale + absolute, scale = |b|;
 * for per-row arrays the largest |entry| (E nu_i is a signed row sum: measured 5e-5 relative to itself when it
 * cancels, <= 1e-5 of the largest row); for the (anti)symmetric norms ||W||.
 */
export const STATISTICS_WASM = { relative: 1e-4, absolute: 1e-10 } as const;

/**
 * adamUpdate vs its twin, on top of KERNEL relative to max |param|: the kernel takes lr, the betas, eps and the bias
 * corrections as f32 (assembly/adam.ts), so 1 - beta carries a relative error up to 2^-25 / (1 - beta) (3e-5 at
 * the paper's beta2 = 0.999, 1.5e-4 at beta2 = 0.9998) that the twin (f64) does not have; the update
 * lr m / (sqrt(v) + eps) inherits it. Bound per entry: this factor times |update| (twin's param after - before).
 * Found by the fast-check property (beta1 = 0, beta2 = 0.9998, |update| ~ 0.07: |diff| 2.1e-6 > 2.05e-6).
 */
export function adamUpdateRelative(beta1: number, beta2: number): number {
  return 2 ** -24 * (1 / (1 - beta1) + 1 / (1 - beta2)) + KERNEL.relative;
}
