// The Persian rug (docs/theory.md §5): construction, batches on wasm or JS, fits of (A, mu), Monte-Carlo loss, blocks of W to draw.
export {
  MAX_HADAMARD_ORDER, checkHadamardOrder, checkHidden, popcount, hadamardEntry, hadamardRows, chooseRows, rugFromRows, createRug,
  rugMatrixEntry, rugMatrixBlock, rugWeights, rugInterferenceMean, rugEffectiveBias, theoryRugFit,
} from './rug.js';
export type { Rug, RugFit } from './rug.js';
export { RUG_BATCH, createRugEngine } from './engine.js';
export type { RugEngine } from './engine.js';
export { evaluateRug, fitAdam } from './fit.js';
export type { RugEvaluation, AdamRugOptions, AdamRugResult } from './fit.js';
export { MAX_IMAGE_BLOCK, modelMatrixBlock, checkBlock } from './image.js';
