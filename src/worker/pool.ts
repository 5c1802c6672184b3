// A pool of N workers running independent training jobs; results come back in submission order.
//
// Each slot holds one worker connection and runs one job at a time. A job that fails (bad config, a throw
// inside the worker) rejects on its own; a worker that dies fails only the job it was running and is
// replaced before the slot takes the next job. (A run on two cores does not use the pool: train/parallel.ts
// splits each batch between the main thread and its own shard worker on one shared memory.)
import { compileKernels, type KernelSource } from '../wasm/module.js';
import type { ModelWeights, TrainConfig, TrainProgress, TrainResult } from '../api.js';
import { kernelsFor, openWorkerTrainer, spawnTrainerWorker, WorkerConnection, type KernelModules } from './client.js';
import { host } from '#host';
import type { WorkerLike } from '../host/types.js';

export interface TrainJob {
  /** threads defaults to 1 here (the pool already spreads jobs over the cores); give 0 or 2 to override. */
  config: Partial<TrainConfig>;
  /** Initial weights instead of the seeded init. */
  weights?: ModelWeights;
  onProgress?: (progress: TrainProgress) => void;
  progressEverySteps?: number;
}

export interface JobOutput {
  result: TrainResult;
  /** Final weights (transferred from the worker). */
  weights: ModelWeights;
  /** Index of the pool slot (worker) that ran the job. */
  slot: number;
}

/** One entry of runAll: the job's output, or the error it failed with. */
export type JobOutcome = ({ ok: true } & JobOutput) | { ok: false; error: Error; slot: number };

export interface TrainerPoolOptions {
  /** Number of workers; default: the logical cores (node os.availableParallelism(), navigator.hardwareConcurrency). */
  size?: number;
  /** Kernels module or bytes, compiled once here and handed to every worker; default: the package's wasm. */
  wasm?: KernelSource;
  /** The threads build likewise, for jobs that ask for threads != 1. */
  threadsWasm?: KernelSource;
  /** Starts a worker on persian-rug/worker; default: the package's own entry (node or browser). */
  createWorker?: () => WorkerLike | Promise<WorkerLike>;
}

interface Queued {
  job: TrainJob;
  resolve: (output: JobOutput) => void;
  reject: (error: Error) => void;
}

export class TrainerPool {
  private readonly slots: (WorkerConnection | undefined)[];
  private readonly idle: number[];
  private readonly queue: Queued[] = [];
  private closed = false;

  constructor(
    readonly size: number,
    private readonly sources: Pick<TrainerPoolOptions, 'wasm' | 'threadsWasm'>,
    private readonly createWorker: () => WorkerLike | Promise<WorkerLike>,
  ) {
    this.slots = new Array(size).fill(undefined);
    this.idle = Array.from({ length: size }, (_, i) => i);
  }

  /** Runs one job on the next free worker; rejects with the job's error (the pool carries on). */
  submit(job: TrainJob): Promise<JobOutput> {
    if (this.closed) return Promise.reject(new Error('the pool is terminated'));
    return new Promise<JobOutput>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Runs every job; entry i belongs to jobs[i] whatever order they finish in. Never rejects. */
  runAll(jobs: readonly TrainJob[]): Promise<JobOutcome[]> {
    return Promise.all(jobs.map((job) => this.submit(job).then(
      (output): JobOutcome => ({ ok: true, ...output }),
      (error: Error & { slot?: number }): JobOutcome => ({ ok: false, error, slot: error.slot ?? -1 }),
    )));
  }

  /** Stops every worker; queued jobs reject. */
  terminate(): void {
    this.closed = true;
    for (const queued of this.queue.splice(0)) queued.reject(new Error('the pool was terminated before the job ran'));
    this.slots.forEach((connection, i) => { connection?.terminate(); this.slots[i] = undefined; });
  }

  private dispatch(): void {
    while (!this.closed && this.idle.length > 0 && this.queue.length > 0) {
      const slot = this.idle.shift()!;
      const queued = this.queue.shift()!;
      this.runOn(slot, queued.job).then(queued.resolve, (error: Error) => queued.reject(Object.assign(error, { slot })))
        .finally(() => { this.idle.push(slot); this.dispatch(); });
    }
  }

  private async connection(slot: number): Promise<WorkerConnection> {
    let connection = this.slots[slot];
    if (connection?.crashError) { connection.terminate(); connection = undefined; }
    if (!connection) {
      connection = WorkerConnection.of(await this.createWorker());
      this.slots[slot] = connection;
      await connection.checkVersion();
    }
    return connection;
  }

  private async runOn(slot: number, job: TrainJob): Promise<JobOutput> {
    const config = { threads: 1, ...job.config };
    const modules: KernelModules = await kernelsFor(config, this.sources);
    const connection = await this.connection(slot);
    const trainer = await openWorkerTrainer(connection, config, modules, job.weights, false);
    try {
      const result = await trainer.run({ onProgress: job.onProgress, progressEverySteps: job.progressEverySteps });
      const weights = await trainer.weights();
      return { result, weights, slot };
    } finally {
      trainer.dispose();
    }
  }
}

/** A pool of `size` workers (default: all logical cores); the kernels are compiled once, here. */
export async function createTrainerPool(options: TrainerPoolOptions = {}): Promise<TrainerPool> {
  const size = options.size ?? await host.availableCores();
  if (!Number.isInteger(size) || size < 1 || size > 1024) throw new RangeError(`pool size = ${size} is not an integer in [1, 1024]`);
  // Compile once, up front (compileKernels caches the package's builds; caller bytes are compiled here once).
  const sources = {
    wasm: options.wasm && !(options.wasm instanceof WebAssembly.Module) ? await compileKernels(options.wasm) : options.wasm,
    threadsWasm: options.threadsWasm && !(options.threadsWasm instanceof WebAssembly.Module) ? await compileKernels(options.threadsWasm, 'threads') : options.threadsWasm,
  };
  return new TrainerPool(size, sources, options.createWorker ?? spawnTrainerWorker);
}
