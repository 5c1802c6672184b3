// Two-core training: gradient shard 1 and update share 1 run on a second thread that shares the wasm memory
// (threads build).
//
// The threads synchronize through a control block in the shared memory (Int32 words):
//   [0] request count (main increments, then notifies)   [1] done count (worker: update share finished)
//   [2] command: 1 train shard, 2 exit                    [3] step   [4] error flag
//   [5] shard count (worker: gradients ready)             [6] go count (main: both gradients ready)
//   f64 at byte 32: the shard's loss sum.
// A step: main writes step and command and bumps the request count; both threads run their shard; main waits
// for shard = request, then sets go = request; both run their update share; main waits for done = request.
// Waits spin briefly before sleeping in Atomics.wait (a hand-off inside a step would otherwise cost a futex
// wake-up, tens of microseconds, several times a step).
import { host } from '#host';
import type { ShardPlan, ShardRunner } from './model.js';
import type { WasmKernels } from '../wasm/kernels.js';

export const CONTROL_BYTES = 48;
export const COMMAND_TRAIN = 1;
export const COMMAND_EXIT = 2;
export const REQUEST = 0, DONE = 1, COMMAND = 2, STEP = 3, ERROR = 4, SHARD = 5, GO = 6;
/** A shard takes milliseconds; a worker silent this long has died. */
const WAIT_LIMIT_MS = 120_000;
/** Polls before sleeping: about 50-100 microseconds. */
const SPIN_POLLS = 20_000;

/**
 * Waits until control[index] is `value` (spinning first); false if limitMs passed (Infinity: never). Where this
 * thread may not block (a browser's main thread) it only spins.
 */
export function waitForValue(control: Int32Array, index: number, value: number, limitMs = Infinity): boolean {
  for (let i = 0; i < SPIN_POLLS; i++) if (Atomics.load(control, index) === value) return true;
  const started = Date.now();
  const block = host.canBlock();
  for (let polls = 0; ; polls++) {
    const seen = Atomics.load(control, index);
    if (seen === value) return true;
    if (block) {
      if (Atomics.wait(control, index, seen, 1000) === 'timed-out' && Date.now() - started > limitMs) return false;
    } else if (polls % SPIN_POLLS === 0 && Date.now() - started > limitMs) return false;
  }
}

/** What the shard worker receives once: the module, the shared memory and where everything is. */
export interface ShardWorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  plan: ShardPlan<number>;
  controlPtr: number;
  statePtr: number;
}

interface ThreadHandle {
  post(message: ShardWorkerInit): void;
  ready: Promise<void>;
  terminate(): void;
}

/** The shard worker (./shardWorker.js, started by the host module) and its first message ('ready'). */
async function spawn(): Promise<ThreadHandle> {
  const worker = await host.spawnShardWorker();
  const endpoint = host.endpointOf(worker);
  let unwatch = (): void => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (): void => { endpoint.removeEventListener('message', onMessage); unwatch(); resolve(); };
    endpoint.addEventListener('message', onMessage);
    unwatch = host.watchCrash(worker, (error) => reject(new Error(`the second training thread failed to start: ${error.message}`)));
  });
  return { post: (m) => endpoint.postMessage(m), ready, terminate: () => void worker.terminate() };
}

/** Starts a worker that runs shard `plan` on `kernels`' shared memory; returns the Model's ShardRunner. */
export async function startThreadShardRunner(kernels: WasmKernels, module: WebAssembly.Module, plan: ShardPlan<number>): Promise<ShardRunner> {
  const controlPtr = kernels.arena.allocate(CONTROL_BYTES);
  const statePtr = kernels.arena.allocate(80);
  const memory = kernels.exports.memory;
  const control = (): Int32Array => new Int32Array(memory.buffer, controlPtr, 8);
  const thread = await spawn();
  thread.post({ module, memory, plan, controlPtr, statePtr });
  await thread.ready;
  let requests = 0;
  let open = true;
  /** Waits until the worker has set control[index] to this request; throws if it went silent or failed `doing`. */
  const awaitWorker = (c: Int32Array, index: number, doing: string): void => {
    if (!waitForValue(c, index, requests, WAIT_LIMIT_MS)) throw new Error(`the second training thread did not answer within ${WAIT_LIMIT_MS / 1000} s`);
    if (Atomics.load(c, ERROR) !== 0) throw new Error(`the second training thread failed while running its ${doing}`);
  };
  return {
    begin(step: number): void {
      const c = control();
      Atomics.store(c, STEP, step);
      Atomics.store(c, COMMAND, COMMAND_TRAIN);
      requests++;
      Atomics.store(c, REQUEST, requests);
      Atomics.notify(c, REQUEST);
    },
    reduce(): number[] {
      const c = control();
      awaitWorker(c, SHARD, 'gradient shard');
      Atomics.store(c, GO, requests);
      Atomics.notify(c, GO);
      return [new Float64Array(memory.buffer, controlPtr + 32, 1)[0]];
    },
    end(): void {
      awaitWorker(control(), DONE, 'parameter update');
    },
    dispose(): void {
      if (!open) return;
      open = false;
      const c = control();
      Atomics.store(c, COMMAND, COMMAND_EXIT);
      Atomics.store(c, REQUEST, requests + 1);
      Atomics.notify(c, REQUEST);
      thread.terminate();
    },
  };
}
