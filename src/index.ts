// Public API (re-exports only).
export type * from './api.js';
export { createTrainer, TrainerDisposedError, type CreateTrainerOptions } from './train/trainer.js';
export { resolveTrainConfig, ConfigError, TRAIN_SCHEMA } from './train/config.js';
export { initialWeights } from './train/init.js';
export { createWorkerTrainer, type WorkerTrainer, type WorkerTrainerOptions } from './worker/client.js';
export { createTrainerPool, TrainerPool, type TrainJob, type JobOutput, type JobOutcome, type TrainerPoolOptions } from './worker/pool.js';
export { hardwareConcurrency } from './host/cores.js';
export type { WorkerLike } from './host/types.js';
export type { KernelSource } from './wasm/module.js';
export { weightsFingerprint, lossHistoryFingerprint } from './worker/fingerprint.js';
export * from './theory/index.js';
export { encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export * from './rug/index.js';
export {
  encodeRunFiles, decodeRunFiles, encodeRunRecord, decodeRunRecord, encodeWeights, decodeWeights, RUN_RECORD_FILE, WEIGHTS_FILE,
} from './io/runFiles.js';
export { encodeCheckpoint, decodeCheckpoint, CHECKPOINT_FILE } from './io/checkpointBytes.js';
