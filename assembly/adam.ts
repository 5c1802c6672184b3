// Adam in place, as torch.optim.Adam (no weight decay, no amsgrad), fused with the reduction of the two
// gradient shards (g = grad + gradOther, one f32 add, so no separate pass sums them first):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   param -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps),  bc1 = 1 - b1^t, bc2 = 1 - b2^t.
// Elements [first, first + count) of f32 buffers; first and count multiples of 4 (the host pads and splits
// on multiples of 4). f32 arithmetic throughout; elementwise, so any split of the range gives the same result.

export function adamUpdate(
  paramPtr: usize, gradPtr: usize, gradOtherPtr: usize, momentPtr: usize, velocityPtr: usize, first: i32, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, biasCorrection1: f32, biasCorrection2: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(1 - beta2);
  const stepSize = f32x4.splat(lr / biasCorrection1);
  const sqrtBc2 = f32x4.splat(Mathf.sqrt(biasCorrection2));
  const epsV = f32x4.splat(eps);
  const end = <usize>(first + count) << 2;
  for (let o = <usize>first << 2; o < end; o += 16) {
    const g = f32x4.add(v128.load(gradPtr + o), v128.load(gradOtherPtr + o));
    const m = f32x4.add(f32x4.mul(b1, v128.load(momentPtr + o)), f32x4.mul(c1, g));
    const v = f32x4.add(f32x4.mul(b2, v128.load(velocityPtr + o)), f32x4.mul(c2, f32x4.mul(g, g)));
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), sqrtBc2), epsV);
    v128.store(momentPtr + o, m);
    v128.store(velocityPtr + o, v);
    v128.store(paramPtr + o, f32x4.sub(v128.load(paramPtr + o), f32x4.mul(stepSize, f32x4.div(m, denom))));
  }
}
