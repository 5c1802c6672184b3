// Specs of assembly/adam.ts: the first Adam step moves each parameter by lr against the gradient's sign.
import { adamUpdate } from "../adam";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

describe("adamUpdate", () => {
  it("first step is -lr * sign(g) (|g| >> eps) and stores the moments", () => {
    // g = grad + gradOther (two shards): 2, -0.5, 0, 1e-3
    const param = new Float32Array(4), grad = new Float32Array(4), gradOther = new Float32Array(4), m = new Float32Array(4), v = new Float32Array(4);
    grad[0] = 1.5; grad[1] = -0.25; grad[2] = 1; grad[3] = 1e-3;
    gradOther[0] = 0.5; gradOther[1] = -0.25; gradOther[2] = -1;
    param[0] = 1;
    adamUpdate(ptr(param), ptr(grad), ptr(gradOther), ptr(m), ptr(v), 0, 4, 0.01, 0.9, 0.999, 1e-7, 0.1, <f32>0.001);
    expect<f64>(Math.abs(param[0] - 0.99)).toBeLessThan(1e-6);
    expect<f64>(Math.abs(param[1] - 0.01)).toBeLessThan(1e-6);
    expect<f32>(param[2]).toBe(0);
    expect<f64>(Math.abs(param[3] + 0.01)).toBeLessThan(1e-5);
    expect<f64>(Math.abs(m[0] - 0.2)).toBeLessThan(1e-7);
    expect<f64>(Math.abs(v[0] - 0.004)).toBeLessThan(1e-7); // (1 - b2) is 0.001 to f32 rounding
  });
});
