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
