// Plain-TS twin of assembly/adam.ts: torch.optim.Adam step in place (no weight decay).
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  param -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)

export function adamUpdate(
  param: Float32Array, grad: Float32Array, moment: Float32Array, velocity: Float32Array, count: number,
  lr: number, beta1: number, beta2: number, eps: number, biasCorrection1: number, biasCorrection2: number,
): void {
  const stepSize = lr / biasCorrection1;
  const sqrtBc2 = Math.sqrt(biasCorrection2);
  for (let i = 0; i < count; i++) {
    const g = grad[i];
    moment[i] = beta1 * moment[i] + (1 - beta1) * g;
    velocity[i] = beta2 * velocity[i] + (1 - beta2) * g * g;
    param[i] -= stepSize * moment[i] / (Math.sqrt(velocity[i]) / sqrtBc2 + eps);
  }
}
