// Two-core training: gradient shard 1 and update share 1 run on a second thread (shardWorker.ts) that shares the
// wasm memory (threads build); the control block and the step's hand-offs are in shardProtocol.ts.
import { host } from '#host';
import type { ShardPlan, ShardRunner } from './model.js';
import type { WasmKernels } from '../wasm/kernels.js';
import { COMMAND, COMMAND_EXIT, COMMAND_TRAIN, CONTROL_BYTES, DONE, ERROR, GO, REQUEST, SHARD, STEP, SHARD_READY, WAIT_LIMIT_MS, waitForValue, type ShardWorkerInit } from './shardProtocol.js';

interface ThreadHandle {
  post(message: ShardWorkerInit): void;
  ready: Promise<void>;
  terminate(): void;
}

/** The shard worker (./shardWorker.js, started by the host module); `ready` once it has the memory and the module. */
async function spawn(): Promise<ThreadHandle> {
  // The literal `new Worker(new URL(...), { type: 'module' })` is what bundlers find and bundle (browsers).
  const worker = await host.spawnWorker(import.meta.url, 'shardWorker.js', () => new Worker(new URL('./shardWorker.js', import.meta.url), { type: 'module' }),
    () => import('../inline/shardWorker.js'), { unref: true });
  const endpoint = host.endpointOf(worker);
  let unwatch = (): void => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (event: MessageEvent): void => {
      if (event.data !== SHARD_READY) return;
      endpoint.removeEventListener('message', onMessage as EventListener);
      unwatch();
      resolve();
    };
    endpoint.addEventListener('message', onMessage as EventListener);
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
