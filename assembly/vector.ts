// Elementwise vector kernels on f32 buffers (count a multiple of 4; the host pads).

/** dst[i] += src[i]: reduces the second gradient shard into the first, in a fixed order. */
export function addInto(dstPtr: usize, srcPtr: usize, count: i32): void {
  const bytes = <usize>count << 2;
  for (let o: usize = 0; o < bytes; o += 16) {
    v128.store(dstPtr + o, f32x4.add(v128.load(dstPtr + o), v128.load(srcPtr + o)));
  }
}
