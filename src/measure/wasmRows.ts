// The statistics' row pass (theory/rowPass.ts) on the wasm weightRows kernel, through the one wasm wrapper.
import type { WeightRowPass } from '../theory/statistics.js';
import { kernelRowPass, type RowPassOptions } from '../theory/rowPass.js';
import { WasmKernels } from '../wasm/kernels.js';
import { compileKernels, type WasmBuild } from '../wasm/module.js';

/** A row pass that instantiates the kernels once per call (its memory, up to ~4 n m + 4 n^2 bytes, goes with it). */
export async function createWasmRowPass(options: RowPassOptions = {}, build: WasmBuild = 'release'): Promise<WeightRowPass> {
  const module = await compileKernels(undefined, build);
  return (input, rows) => kernelRowPass(WasmKernels.createSync(module), input, rows, options);
}
