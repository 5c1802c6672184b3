// Linear memory: the host (src/wasm/) lays out every buffer above heapBase() and grows memory itself.

/** First byte the host may use; kernels allocate nothing. */
export function heapBase(): usize {
  return __heap_base;
}
