// Public API of the analytic theory (re-exports only): pure functions, no wasm, no node APIs.
export { normalPdf, normalCdf, normalSurvival, millsRatio, reluMoments, reluMean, reluSecondMoment } from './normal.js';
export { gaussLegendre, integrate } from './quadrature.js';
export type { GaussLegendreRule } from './quadrature.js';
export { dataVariance, dataMoments, onFeatureLoss, symmetricLoss, interferenceScale, checkFeatureProbability, checkRatio } from './loss.js';
export type { DataMoments } from './loss.js';
export {
  optimalSymmetricLoss, rankBoundLoss, kappaSquared, zeroLoss, constantLoss, linearLoss, paperCodeLinearLoss,
} from './optimum.js';
export type { SymmetricOptimum } from './optimum.js';
export { logFactor, kappaFormLoss, highSparsityLoss, effectiveLogFactor, mmseLoss, mmseLossAtSnr } from './asymptotics.js';
export { kolmogorovCdf, kolmogorovSurvival, kolmogorovSmirnov } from './kolmogorov.js';
export type { KolmogorovSmirnovResult } from './kolmogorov.js';
export { modelStatistics, sampledRowIndices } from './statistics.js';
export { kernelRowPass, referenceRowPass, kernelStride } from './rowPass.js';
export type { RowPassOptions, TraceRoute } from './rowPass.js';
export { singularValues, symmetricEigenvalues } from './linearAlgebra.js';
export { weightBlock, weightRow, weightDiagonal, weightSamples } from './weights.js';
export type { WeightFactors } from './weights.js';
export type { ModelStatistics, ModelStatisticsInput, ModelStatisticsOptions, MeanVariance, WeightRowSums, WeightRowPass } from './statistics.js';
