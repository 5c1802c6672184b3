// Loads and instantiates the kernels module: wasm bytes from the package (the host reads or fetches them) or the caller.
import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { host } from '#host';
import type { KernelSet } from '../kernelSet.js';
import { INLINE_NOTE } from '../host/types.js';

/** Kernels whose wasm signature is the KernelSet's on byte offsets (B = number). */
type SameAsKernelSet = 'encoderForward' | 'encoderBackward' | 'decoderBackward' | 'adamUpdate' | 'packDecoderPanels' | 'rugProject' | 'rugLoss' | 'weightRows';

/** The raw wasm ABI of assembly/index.ts (byte offsets and scalars): the KernelSet's kernels plus what differs or has no twin. */
export interface KernelExports extends Pick<KernelSet<number>, SameAsKernelSet> {
  memory: WebAssembly.Memory;
  heapBase(): number;
  randomSeed(statePtr: number, key0: number, key1: number, counterLo: number, counterHi: number): void;
  randomFillU32(statePtr: number, outPtr: number, count: number): void;
  randomFillUniform(statePtr: number, outPtr: number, count: number, lo: number, hi: number): void;
  /** The sample counter as two u32 words and the instance's 80-byte sampler state (KernelSet: one number, no state). */
  sampleBatch(
    key0: number, key1: number, firstLo: number, firstHi: number, batch: number, nFeatures: number, stride: number,
    thresholdsPtr: number, densePtr: number, offsetsPtr: number, indicesPtr: number, valuesPtr: number, statePtr: number,
  ): number;
  /** featureLossPtr 0: no per-feature loss (KernelSet: null). */
  decoderForward(
    batch: number, nHidden: number, hiddenStride: number, featureStride: number, panelWidth: number,
    hiddenPtr: number, woutPanelsPtr: number, biasPtr: number, targetPtr: number, importancePtr: number,
    activation: number, slope: number, gradScale: number, dPrePtr: number, featureLossPtr: number, scratchPtr: number,
  ): number;
  decoderForwardScratchBytes(batch: number, hiddenStride: number): number;
  decoderBackwardScratchBytes(batch: number, featureStride: number): number;
  encoderBackwardScratchBytes(batch: number, nFeatures: number, hiddenStride: number): number;
  peakProbe(iterations: number, seed: number): number;
  walshHadamardTransform(ptr: number, n: number): void;
  walshHadamardTransformBatch(ptr: number, n: number, batch: number, stride: number): void;
  rugDirectMaxActive(n: number): number;
}

/** release: SIMD, own memory; threads: SIMD with an imported shared memory (two-core runs). */
export type WasmBuild = 'release' | 'threads';

/**
 * Where a build comes from when the caller supplies it: the compiled module, its bytes, or its URL
 * (a URL object or string; node, Deno and Bun read file: URLs from disk).
 */
export type KernelSource = WebAssembly.Module | ArrayBuffer | Uint8Array | URL | string;

/** The option that supplies each build (createTrainer, createWorkerTrainer, createTrainerPool). */
const OPTION: Record<WasmBuild, string> = { release: 'wasm', threads: 'threadsWasm' };

/**
 * URL of a build's wasm file inside the package (build/ sits two levels above src/wasm and dist/wasm). One literal
 * `new URL('...', import.meta.url)` per build: the form bundlers (Vite, webpack, Rollup plugins) find and emit.
 */
export function wasmUrl(build: WasmBuild = 'release'): URL {
  return build === 'threads' ? new URL('../../build/threads.wasm', import.meta.url) : new URL('../../build/release.wasm', import.meta.url);
}

let compiled: Partial<Record<WasmBuild, Promise<WebAssembly.Module>>> = {};

const describe = (build: WasmBuild): string => `the wasm kernels (${build} build, build/${build}.wasm)`;

async function compileFrom(url: URL, build: WasmBuild): Promise<WebAssembly.Module> {
  const bytes = await host.readBytes(url, describe(build));
  return WebAssembly.compile(bytes as BufferSource);
}

/**
 * Compiles a build once (cached per build), or the caller's module / bytes / URL. Errors name the file, the
 * fix that fits this host, and the option that supplies the build.
 */
export function compileKernels(source?: KernelSource, build: WasmBuild = 'release'): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  const hint = (error: unknown): never => {
    const message = (error as Error).message;
    throw new Error(/--allow-read/.test(message) ? message : `${message} (or pass the ${build} build yourself as the \`${OPTION[build]}\` option: a WebAssembly.Module, its bytes or its URL)`);
  };
  if (typeof source === 'string' || source instanceof URL) {
    return Promise.resolve().then(() => compileFrom(typeof source === 'string' ? host.toUrl(source) : source, build)).catch(hint);
  }
  if (source) return WebAssembly.compile(source as BufferSource);
  compiled[build] ??= compileFrom(wasmUrl(build), build).catch(async (error: unknown) => {
    // Browsers: a bundler that did not emit the file (or a CDN) -> the copy inlined in the package, said once.
    const inline = host.name === 'browser' ? (await import('../inline/wasm.js'))[build] : '';
    if (inline) {
      host.noteOnce('inline', INLINE_NOTE);
      return WebAssembly.compile(Uint8Array.from(atob(inline), (c) => c.charCodeAt(0)));
    }
    compiled = {};
    return hint(error);
  });
  return compiled[build]!;
}

/** wasm32 pages (64 KiB): the threads build's shared memory starts at 16 and may grow to 4 GiB. */
const SHARED_MEMORY_PAGES = { initial: 16, maximum: 65536 } as const;

/** A new shared memory for the threads build (needs SharedArrayBuffer: node, or a cross-origin isolated page). */
export function createSharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ ...SHARED_MEMORY_PAGES, shared: true });
}

/**
 * An instance of the kernels module: with its own memory (release), or on `memory` (threads build;
 * several instances on one shared memory see the same buffers).
 */
export async function instantiateKernels(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<KernelExports> {
  const { exports } = await instantiate<Record<string, unknown>>(module, memory ? { env: { memory } } : {});
  const result = exports as unknown as KernelExports;
  if (memory) result.memory = memory;
  return result;
}

/** An instance with its own memory, made synchronously from a compiled module. */
export function instantiateKernelsSync(module: WebAssembly.Module): KernelExports {
  return instantiateSync<Record<string, unknown>>(module, {}).exports as unknown as KernelExports;
}
