// Public API (re-exports only).
export type * from './api.js';
export { createTrainer, type CreateTrainerOptions } from './train/trainer.js';
export { resolveTrainConfig, ConfigError, TRAIN_SCHEMA } from './train/config.js';
export { initialWeights } from './train/init.js';
export * from './theory/index.js';
export { encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export * from './rug/index.js';
