// The client side: a Trainer whose model lives in a worker (node or browser), over one comlink connection.
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { ModelWeights, TrainCheckpoint, TrainConfig, TrainOptions, TrainProgress, Trainer } from '../api.js';
import { compileKernels, type KernelSource } from '../wasm/module.js';
import { host } from '#host';
import type { WorkerLike } from '../host/types.js';
import { PROTOCOL_VERSION, type RemoteTrainer, type WorkerApi } from './protocol.js';

/** A Trainer in a worker; `cancel()` stops a run in progress at its next chunk boundary. */
export interface WorkerTrainer extends Trainer {
  cancel(): Promise<void>;
}

export interface WorkerTrainerOptions {
  /** A worker running persian-rug/worker (dist/worker/worker.js); default: a new one, terminated by dispose(). */
  worker?: WorkerLike;
  /** The release build: module, bytes or URL; compiled once in this thread and sent as a WebAssembly.Module. */
  wasm?: KernelSource;
  /** The threads build likewise (runs with threads != 1 where shared memory exists); default: the package's. */
  threadsWasm?: KernelSource;
  /** Initial weights instead of the seeded init. */
  weights?: ModelWeights;
  /** Continue a run from this checkpoint (same config); equals the uninterrupted run bit for bit. */
  resume?: TrainCheckpoint;
}

/** One worker, its comlink proxy, and a promise that rejects if the worker dies (one per worker). */
export class WorkerConnection {
  readonly api: Remote<WorkerApi>;
  /** Rejects with the crash error; never resolves. Race every call against it (comlink calls hang on a dead worker). */
  readonly crashed: Promise<never>;
  crashError: Error | undefined;
  private readonly unwatch: () => void;
  private readonly fail: (error: Error) => void;
  private static readonly byWorker = new WeakMap<WorkerLike, WorkerConnection>();

  /** The connection of a worker (created on first use; several trainers may share one worker). */
  static of(worker: WorkerLike): WorkerConnection {
    let connection = WorkerConnection.byWorker.get(worker);
    if (!connection) WorkerConnection.byWorker.set(worker, connection = new WorkerConnection(worker));
    return connection;
  }

  private constructor(readonly worker: WorkerLike) {
    this.api = wrap<WorkerApi>(host.endpointOf(worker));
    let reject!: (error: Error) => void;
    this.crashed = new Promise<never>((_, r) => { reject = r; });
    this.crashed.catch(() => undefined);
    this.fail = (error) => { this.crashError ??= error; reject(this.crashError); };
    this.unwatch = host.watchCrash(worker, this.fail);
  }

  /** Resolves with the call's value, or rejects if the worker dies first. */
  call<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.crashed]);
  }

  async checkVersion(): Promise<void> {
    const version = await this.call(this.api.version as Promise<number>);
    if (version !== PROTOCOL_VERSION) throw new Error(`the worker speaks protocol ${version}; this client needs ${PROTOCOL_VERSION} (mismatched builds)`);
  }

  /** Stops the worker; calls still pending reject with 'the worker was terminated'. */
  terminate(): void {
    this.unwatch();
    this.fail(new Error('the worker was terminated'));
    WorkerConnection.byWorker.delete(this.worker);
    void this.worker.terminate();
  }
}

/** A new worker on this package's worker entry (worker.js); the literal `new Worker(new URL(...))` lets bundlers find it. */
export function spawnTrainerWorker(): Promise<WorkerLike> {
  return host.spawnWorker(import.meta.url, 'worker.js', () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
    () => import('../inline/trainerWorker.js'));
}

/** The modules a worker needs for this config, compiled here once (cached per build by compileKernels). */
export interface KernelModules {
  wasm?: WebAssembly.Module;
  threadsWasm?: WebAssembly.Module;
}

export async function kernelsFor(config: Partial<TrainConfig>, sources: Pick<WorkerTrainerOptions, 'wasm' | 'threadsWasm'>): Promise<KernelModules> {
  if (config.backend === 'js') return {};
  const wasm = await compileKernels(sources.wasm);
  if (config.threads === 1 || !host.sharedMemoryAvailable()) return { wasm };
  // A missing threads build is not fatal here: a run that needs it reports the error from its worker.
  const threadsWasm = await compileKernels(sources.threadsWasm, 'threads').catch((error: unknown) => {
    if (sources.threadsWasm) throw error;
    return undefined;
  });
  return { wasm, threadsWasm };
}

/** Creates the trainer in the connected worker; `owned`: dispose() also terminates the worker. */
export async function openWorkerTrainer(
  connection: WorkerConnection, config: Partial<TrainConfig>, modules: KernelModules, weights: ModelWeights | undefined, owned: boolean,
  resume?: TrainCheckpoint,
): Promise<WorkerTrainer> {
  const remote = await connection.call(connection.api.createTrainer(config, { ...modules, weights, resume }));
  const resolved = await connection.call(remote.config);
  return new ProxyTrainer(connection, remote, resolved, owned);
}

class ProxyTrainer implements WorkerTrainer {
  constructor(
    private readonly connection: WorkerConnection,
    private readonly remote: Remote<RemoteTrainer>,
    readonly config: RemoteTrainer['config'],
    private readonly owned: boolean,
  ) {}

  async run(options: TrainOptions = {}) {
    const { onProgress, shouldStop } = options;
    // shouldStop runs in this thread, once per progress report; a stop reaches the worker as a cancel message.
    let cancelling = false, lastStep = -1, caughtUp: (() => void) | undefined;
    const report = onProgress || shouldStop ? proxy((progress: TrainProgress) => {
      lastStep = progress.step;
      onProgress?.(progress);
      if (!cancelling && shouldStop?.()) { cancelling = true; void this.cancel().catch(() => undefined); }
      caughtUp?.();
    }) : undefined;
    const saver = options.onCheckpoint ? proxy(options.onCheckpoint) : undefined;
    const result = await this.connection.call(this.remote.run(report, options.progressEverySteps, saver, options.checkpointEverySteps));
    // Reports travel on their own port and may trail the result; as in-process, the last one (step = steps) comes first.
    if (report && lastStep < result.steps) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => { caughtUp = () => { if (lastStep >= result.steps) resolve(); }; }),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, 5000); }),
        this.connection.crashed.catch(() => undefined),
      ]);
      clearTimeout(timer);
    }
    return result;
  }

  cancel() {
    return this.connection.call(this.remote.cancel());
  }

  evaluate(samples?: number) {
    return this.connection.call(this.remote.evaluate(samples));
  }

  weights() {
    return this.connection.call(this.remote.weights());
  }

  checkpoint() {
    return this.connection.call(this.remote.checkpoint());
  }

  dispose(): void {
    if (this.owned) { this.connection.terminate(); return; }
    if (this.connection.crashError) return;
    this.remote.dispose().catch(() => undefined).finally(() => this.remote[releaseProxy]());
  }
}

/**
 * The same Trainer as createTrainer, running in a worker: a node worker_threads Worker or a browser Worker.
 * Same config and seed -> bit-identical weights and loss history to the in-process run.
 */
export async function createWorkerTrainer(config: Partial<TrainConfig>, options: WorkerTrainerOptions = {}): Promise<WorkerTrainer> {
  const modules = await kernelsFor(config, options);
  const connection = WorkerConnection.of(options.worker ?? await spawnTrainerWorker());
  try {
    await connection.checkVersion();
    return await openWorkerTrainer(connection, config, modules, options.weights, !options.worker, options.resume);
  } catch (error) {
    if (!options.worker) connection.terminate();
    throw error;
  }
}
