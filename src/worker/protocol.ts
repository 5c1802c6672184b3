// The messages between a client thread and a worker: the object worker.ts exposes with comlink, as types.
import type { ProxyMarked } from 'comlink';
import type { EvaluationResult, ModelWeights, ResolvedTrainConfig, TrainConfig, TrainProgress, TrainResult, TrainCheckpoint } from '../api.js';

/** Bumped when WorkerApi changes shape; client and worker from different builds refuse to talk. */
export const PROTOCOL_VERSION = 1;

export interface RemoteTrainerOptions {
  /** Compiled once in the client thread; a WebAssembly.Module is structured-cloneable. */
  wasm?: WebAssembly.Module;
  /** The threads build (shared memory), for runs on two cores; likewise compiled once in the client thread. */
  threadsWasm?: WebAssembly.Module;
  weights?: ModelWeights;
  /** Continue from this checkpoint (its buffers are cloned into the worker). */
  resume?: TrainCheckpoint;
}

/**
 * One Trainer living in a worker. `run` takes its callback as a top-level argument (comlink proxies only
 * top-level arguments); cancellation is a message (`cancel`), read by the worker between chunks of steps.
 */
export interface RemoteTrainer {
  readonly config: ResolvedTrainConfig;
  run(
    onProgress: ((progress: TrainProgress) => void) | undefined, progressEverySteps: number | undefined,
    onCheckpoint?: (checkpoint: TrainCheckpoint) => void | Promise<void>, checkpointEverySteps?: number,
  ): Promise<TrainResult>;
  cancel(): void;
  evaluate(samples?: number): Promise<EvaluationResult>;
  /** Buffers are transferred (the worker keeps none of them). */
  weights(): Promise<ModelWeights>;
  checkpoint(): Promise<TrainCheckpoint>;
  dispose(): void;
}

/** What a worker exposes: a pool slot is just a connection to this (two-core runs use train/parallel.ts instead). */
export interface WorkerApi {
  readonly version: number;
  createTrainer(config: Partial<TrainConfig>, options: RemoteTrainerOptions): Promise<RemoteTrainer & ProxyMarked>;
}
