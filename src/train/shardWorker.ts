// Worker entry for two-core training: runs gradient shard 1 and update share 1 of every step on the shared wasm memory (see parallel.ts).
import { host } from '#host';
import { instantiateKernels } from '../wasm/module.js';
import { WasmKernels } from '../wasm/kernels.js';
import { trainShard, updateShare } from './model.js';
import { COMMAND, COMMAND_EXIT, DONE, ERROR, GO, REQUEST, SHARD, SHARD_READY, STEP, waitForValue, type ShardWorkerInit } from './shardProtocol.js';
import { WORKER_HELLO } from '../host/types.js';

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

// Registered synchronously at load (no top-level await): the init message may already be queued.
const parent = host.parentEndpoint();
const onInit = (event: MessageEvent): void => {
  parent.removeEventListener('message', onInit as EventListener);
  void serve(event.data as ShardWorkerInit, () => parent.postMessage(SHARD_READY));
};
parent.addEventListener('message', onInit as EventListener);
parent.postMessage(WORKER_HELLO);
