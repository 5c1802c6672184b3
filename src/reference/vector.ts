// Plain-TS twin of assembly/vector.ts.

/** dst[i] += src[i] (f32). */
export function addInto(dst: Float32Array, src: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) dst[i] += src[i];
}
