// Adam in place, as torch.optim.Adam (no weight decay, no amsgrad):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   param -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps),  bc1 = 1 - b1^t, bc2 = 1 - b2^t.
// All buffers f32[count]; count a multiple of 4 (the host pads). f32 arithmetic throughout.

export function adamUpdate(
  paramPtr: usize, gradPtr: usize, momentPtr: usize, velocityPtr: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, biasCorrection1: f32, biasCorrection2: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(1 - beta2);
  const stepSize = f32x4.splat(lr / biasCorrection1);
  const sqrtBc2 = f32x4.splat(Mathf.sqrt(biasCorrection2));
  const epsV = f32x4.splat(eps);
  for (let i = 0; i < count; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(gradPtr + o);
    const m = f32x4.add(f32x4.mul(b1, v128.load(momentPtr + o)), f32x4.mul(c1, g));
    const v = f32x4.add(f32x4.mul(b2, v128.load(velocityPtr + o)), f32x4.mul(c2, f32x4.mul(g, g)));
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), sqrtBc2), epsV);
    v128.store(momentPtr + o, m);
    v128.store(velocityPtr + o, v);
    v128.store(paramPtr + o, f32x4.sub(v128.load(paramPtr + o), f32x4.mul(stepSize, f32x4.div(m, denom))));
  }
}
