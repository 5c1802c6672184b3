// Worker entry for two-core training: runs gradient shard 1 and update share 1 of every step on the shared wasm memory (see src/train/parallel.ts).
import { instantiateKernels } from '../wasm/module.js';
import { WasmKernels } from '../wasm/kernels.js';
import { trainShard, updateShare } from '../train/model.js';
import { COMMAND, COMMAND_EXIT, DONE, ERROR, GO, REQUEST, SHARD, STEP, waitForValue, type ShardWorkerInit } from '../train/parallel.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

async function serve(init: ShardWorkerInit, ready: () => void): Promise<void> {
  const kernels = new WasmKernels(await instantiateKernels(init.module, init.memory), init.statePtr);
  const control = new Int32Array(init.memory.buffer, init.controlPtr, 8);
  const loss = new Float64Array(init.memory.buffer, init.controlPtr + 32, 1);
  ready();
  let seen = 0;
  for (;;) {
    waitForValue(control, REQUEST, seen + 1);
    seen = Atomics.load(control, REQUEST);
    if (Atomics.load(control, COMMAND) === COMMAND_EXIT) return;
    const step = Atomics.load(control, STEP);
    let failed = false;
    try {
      loss[0] = trainShard(kernels, init.plan, step);
    } catch {
      failed = true;
      Atomics.store(control, ERROR, 1);
    }
    Atomics.store(control, SHARD, seen);
    Atomics.notify(control, SHARD);
    // After a failure main throws instead of answering; do not wait for it.
    if (!failed) {
      waitForValue(control, GO, seen);
      try {
        updateShare(kernels, init.plan, step + 1);
      } catch {
        Atomics.store(control, ERROR, 1);
      }
    }
    Atomics.store(control, DONE, seen);
    Atomics.notify(control, DONE);
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
