// Bump allocator over one instance's linear memory: buffers live above heapBase, 16-byte aligned, for the instance's life.
import type { KernelExports } from './module.js';

const PAGE = 65536;
/** wasm32 ceiling: 65,536 pages of 64 KiB. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;

export class WasmArena {
  private top: number;

  constructor(private readonly exports: KernelExports) {
    this.top = align(exports.heapBase(), 16);
  }

  /** Reserves `bytes` (zeroed), growing memory; throws a clear error past 4 GiB. */
  allocate(bytes: number): number {
    const ptr = this.top;
    const end = align(ptr + bytes, 16);
    if (end > WASM_MEMORY_LIMIT_BYTES) {
      throw new RangeError(`wasm memory needed ${formatBytes(end)} exceeds the 4 GiB limit of wasm32`);
    }
    const memory = this.exports.memory;
    const have = memory.buffer.byteLength;
    if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return ptr;
  }

  get usedBytes(): number {
    return this.top;
  }

  f32(ptr: number, count: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, ptr, count);
  }

  f64(ptr: number, count: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, count);
  }

  i32(ptr: number, count: number): Int32Array {
    return new Int32Array(this.exports.memory.buffer, ptr, count);
  }

  u32(ptr: number, count: number): Uint32Array {
    return new Uint32Array(this.exports.memory.buffer, ptr, count);
  }
}

export function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
