// Plain-TS twin of assembly/adam.ts: torch.optim.Adam step in place (no weight decay) on elements
// [first, first + count), with g = grad + gradOther (the two gradient shards, summed in f32).
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  param -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)

export function adamUpdate(
  param: Float32Array, grad: Float32Array, gradOther: Float32Array, moment: Float32Array, velocity: Float32Array, first: number, count: number,
  lr: number, beta1: number, beta2: number, eps: number, biasCorrection1: number, biasCorrection2: number,
): void {
  const stepSize = lr / biasCorrection1;
  const sqrtBc2 = Math.sqrt(biasCorrection2);
  for (let i = first; i < first + count; i++) {
    const g = Math.fround(grad[i] + gradOther[i]);
    moment[i] = beta1 * moment[i] + (1 - beta1) * g;
    velocity[i] = beta2 * velocity[i] + (1 - beta2) * g * g;
    param[i] -= stepSize * moment[i] / (Math.sqrt(velocity[i]) / sqrtBc2 + eps);
  }
}
