// Peak-throughput probe: the f32x4 mul + add rate this engine sustains with no memory traffic.
// 12 independent accumulator chains hide latency; each iteration does 12 x (mul + add) on 4 lanes = 96 flops.
// The bench divides 96 * iterations by the time to get the ceiling the decoder GEMM is measured against.

export function peakProbe(iterations: i32, seed: f32): f32 {
  const a = f32x4.splat(0.999);
  const c = f32x4.splat(seed);
  let x0 = f32x4.splat(seed), x1 = f32x4.splat(seed + 1), x2 = f32x4.splat(seed + 2), x3 = f32x4.splat(seed + 3);
  let x4 = f32x4.splat(seed + 4), x5 = f32x4.splat(seed + 5), x6 = f32x4.splat(seed + 6), x7 = f32x4.splat(seed + 7);
  let x8 = f32x4.splat(seed + 8), x9 = f32x4.splat(seed + 9), x10 = f32x4.splat(seed + 10), x11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iterations; i++) {
    x0 = f32x4.add(f32x4.mul(x0, a), c); x1 = f32x4.add(f32x4.mul(x1, a), c);
    x2 = f32x4.add(f32x4.mul(x2, a), c); x3 = f32x4.add(f32x4.mul(x3, a), c);
    x4 = f32x4.add(f32x4.mul(x4, a), c); x5 = f32x4.add(f32x4.mul(x5, a), c);
    x6 = f32x4.add(f32x4.mul(x6, a), c); x7 = f32x4.add(f32x4.mul(x7, a), c);
    x8 = f32x4.add(f32x4.mul(x8, a), c); x9 = f32x4.add(f32x4.mul(x9, a), c);
    x10 = f32x4.add(f32x4.mul(x10, a), c); x11 = f32x4.add(f32x4.mul(x11, a), c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), f32x4.add(f32x4.add(f32x4.add(x4, x5), f32x4.add(x6, x7)), f32x4.add(f32x4.add(x8, x9), f32x4.add(x10, x11))));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
