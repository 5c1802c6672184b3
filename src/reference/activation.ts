// Plain-TS twin of assembly/activation.ts: output activations and derivatives (PyTorch conventions).
import type { Activation } from '../api.js';

export const ACTIVATION_CODE: Record<Activation, number> = { relu: 0, identity: 1, gelu: 2, tanh: 3, leaky_relu: 4 };

/** erf by Abramowitz-Stegun 7.1.26, |error| <= 1.5e-7 (the kernel uses the same formula). */
function erfApprox(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}

export function activationValue(code: number, pre: number, slope: number): number {
  switch (code) {
    case 0: return pre > 0 ? pre : 0;
    case 1: return pre;
    case 2: return 0.5 * pre * (1 + erfApprox(pre * 0.7071067811865476));
    case 3: return Math.tanh(pre);
    default: return pre > 0 ? pre : slope * pre;
  }
}

export function activationDerivative(code: number, pre: number, slope: number): number {
  switch (code) {
    case 0: return pre > 0 ? 1 : 0;
    case 1: return 1;
    case 2: return 0.5 * (1 + erfApprox(pre * 0.7071067811865476)) + pre * 0.3989422804014327 * Math.exp(-0.5 * pre * pre);
    case 3: { const t = Math.tanh(pre); return 1 - t * t; }
    default: return pre > 0 ? 1 : slope;
  }
}
