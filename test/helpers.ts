// Test helpers: both kernel sets, seeded test data (no Math.random), buffer round trips, CLI commands with captured output.
import { WasmKernels } from '../src/wasm/kernels.js';
import { ReferenceKernels } from '../src/reference/kernels.js';
import type { KernelSet, BufferKind } from '../src/kernelSet.js';
import type { CliIo } from '../src/cli/io.js';

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

/** Runs a CLI command (src/cli) on argv with its output lines captured. */
export async function runCommand(
  command: (argv: readonly string[], io: CliIo) => Promise<number>, ...argv: string[]
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await command(argv, { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) });
  return { code, stdout, stderr };
}
