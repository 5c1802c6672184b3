// Output activations and their derivatives (scalar f64 forms; decoder.ts vectorizes relu, identity, leaky).
// Codes: 0 relu, 1 identity, 2 gelu (exact, erf form, as torch.nn.GELU()), 3 tanh, 4 leaky_relu.
// Derivative at 0 follows PyTorch: relu' (0) = 0, leaky' (0) = slope.

export const ACTIVATION_RELU: i32 = 0;
export const ACTIVATION_IDENTITY: i32 = 1;
export const ACTIVATION_GELU: i32 = 2;
export const ACTIVATION_TANH: i32 = 3;
export const ACTIVATION_LEAKY_RELU: i32 = 4;

/** erf by Abramowitz-Stegun 7.1.26; |error| <= 1.5e-7, below f32 resolution of GELU outputs. */
export function erfApprox(x: f64): f64 {
  const sign: f64 = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}

export function activationValue(activation: i32, pre: f64, slope: f64): f64 {
  if (activation == ACTIVATION_RELU) return pre > 0 ? pre : 0;
  if (activation == ACTIVATION_IDENTITY) return pre;
  if (activation == ACTIVATION_GELU) return 0.5 * pre * (1 + erfApprox(pre * 0.7071067811865476));
  if (activation == ACTIVATION_TANH) return Math.tanh(pre);
  return pre > 0 ? pre : slope * pre;
}

export function activationDerivative(activation: i32, pre: f64, slope: f64): f64 {
  if (activation == ACTIVATION_RELU) return pre > 0 ? 1 : 0;
  if (activation == ACTIVATION_IDENTITY) return 1;
  if (activation == ACTIVATION_GELU) {
    return 0.5 * (1 + erfApprox(pre * 0.7071067811865476)) + pre * 0.3989422804014327 * Math.exp(-0.5 * pre * pre);
  }
  if (activation == ACTIVATION_TANH) {
    const t = Math.tanh(pre);
    return 1 - t * t;
  }
  return pre > 0 ? 1 : slope;
}
