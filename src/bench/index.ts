// The speed benchmark behind `persian-rug bench` and the page's speed section (re-exports only; no node APIs).
export { runBenchmark, benchPlan, BenchCheckError, BENCH_LOSS_RELATIVE, PEER_LOSS_RELATIVE } from './measure.js';
export type { BenchOptions, BenchMode, BenchShape, BenchPeer, PeerRun, BenchReport, BenchShapeResult, BenchRow, BenchCheck, BenchRatios, RateSummary, RowKind } from './measure.js';
export { formatBenchReport } from './format.js';
export { createDenseTrainer, type DenseStep } from './dense.js';
