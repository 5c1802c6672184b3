// Specs of assembly/activation.ts: values and derivatives at known points.
import { activationValue, activationDerivative, erfApprox } from "../activation";

describe("activations", () => {
  it("erf is within 1.5e-7 of known values", () => {
    expect<f64>(Math.abs(erfApprox(0.5) - 0.5204998778130465)).toBeLessThan(1.5e-7);
    expect<f64>(Math.abs(erfApprox(-1.0) + 0.8427007929497149)).toBeLessThan(1.5e-7);
    expect<f64>(Math.abs(erfApprox(2.0) - 0.9953222650189527)).toBeLessThan(1.5e-7);
  });
  it("relu, identity, gelu, tanh, leaky_relu", () => {
    expect<f64>(activationValue(0, -1, 0)).toBe(0);
    expect<f64>(activationDerivative(0, 0, 0)).toBe(0);
    expect<f64>(activationValue(1, -1.5, 0)).toBe(-1.5);
    expect<f64>(Math.abs(activationValue(2, 1, 0) - 0.8413447460685429)).toBeLessThan(2e-7);
    expect<f64>(Math.abs(activationDerivative(2, 0, 0) - 0.5)).toBeLessThan(1e-7);
    expect<f64>(Math.abs(activationDerivative(3, 0.3, 0) - (1 - Math.tanh(0.3) ** 2))).toBeLessThan(1e-15);
    expect<f64>(activationValue(4, -2, 0.1)).toBe(-0.2);
    expect<f64>(activationDerivative(4, 0, 0.1)).toBe(0.1);
  });
});
