// Test helpers: both kernel sets, seeded test data (no Math.random), buffer round trips.
import { WasmKernels } from '../src/wasm/kernels.js';
import { ReferenceKernels } from '../src/reference/kernels.js';
import type { KernelSet, BufferKind } from '../src/train/kernels.js';

let shared: Promise<WasmKernels> | undefined;
/** One wasm instance for a test file (buffers accumulate; fine for tests). */
export function wasmKernels(): Promise<WasmKernels> {
  shared ??= WasmKernels.create();
  return shared;
}

export const referenceKernels = new ReferenceKernels();

/** Deterministic test values in [lo, hi): an LCG on the index, independent of the library's PRNG. */
export function testValues(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(count);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

/** Allocates and fills a buffer on a kernel set. */
export function put<B>(k: KernelSet<B>, kind: BufferKind, data: ArrayLike<number>): B {
  const b = k.allocate(kind, data.length);
  k.write(b, kind, data);
  return b;
}
