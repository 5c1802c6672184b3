// Worker entry for two-core training: runs gradient shard 1 of every step on the shared wasm memory (see src/train/parallel.ts).
import { instantiateKernels } from '../wasm/module.js';
import { WasmKernels } from '../wasm/kernels.js';
import { trainShard } from '../train/model.js';
import { COMMAND_EXIT, type ShardWorkerInit } from '../train/parallel.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

async function serve(init: ShardWorkerInit, ready: () => void): Promise<void> {
  const kernels = new WasmKernels(await instantiateKernels(init.module, init.memory), init.statePtr);
  const control = new Int32Array(init.memory.buffer, init.controlPtr, 8);
  const loss = new Float64Array(init.memory.buffer, init.controlPtr + 32, 1);
  ready();
  let seen = 0;
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (Atomics.load(control, 2) === COMMAND_EXIT) return;
    try {
      loss[0] = trainShard(kernels, init.plan, Atomics.load(control, 3));
    } catch {
      Atomics.store(control, 4, 1);
    }
    Atomics.store(control, 1, seen);
    Atomics.notify(control, 1);
  }
}

if (isNode) {
  const { parentPort } = await import(/* @vite-ignore */ 'node:worker_threads' as string) as typeof import('node:worker_threads');
  parentPort!.once('message', (init: ShardWorkerInit) => void serve(init, () => parentPort!.postMessage('ready')));
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<ShardWorkerInit>) => void) | null; postMessage(m: unknown): void };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    void serve(e.data, () => scope.postMessage('ready'));
  };
}
