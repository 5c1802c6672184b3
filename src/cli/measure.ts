// `persian-rug measure RUN_DIR`: the statistics of docs/theory.md §2 of a trained run and its predicted vs measured loss (§3).
import { stat } from 'node:fs/promises';
import type { ModelWeights } from '../api.js';
import { readRunSummary, readRunWeights, type RunSummary } from '../io/runRecord.js';
import { createWasmRowPass } from '../measure/wasmRows.js';
import { modelStatistics, optimalSymmetricLoss, referenceRowPass, type ModelStatistics } from '../theory/index.js';
import { EXIT, type CliIo } from './io.js';
import { checkNumber, ConfigError } from '../config/schema.js';
import { fieldOf, parseCommand, trainField, usageFailure, usageText, type CommandFlags } from './flags.js';
import { stringifyJson } from '../io/json.js';

export const MEASURE_FLAGS: CommandFlags = {
  fields: [
    { key: 'rows', flag: 'rows', kind: 'int', min: 1, max: 65536, valueName: 'K', defaultText: 'min(n, 64)', help: 'rows of W whose interference nu_i is sampled, an integer in [1, n]' },
    { key: 'samples', flag: 'samples', kind: 'int', min: 2, max: 1_000_000, default: 1000, valueName: 'S', help: 'data samples per sampled row' },
    { ...trainField('seed'), help: 'seed of the sampling stream' },
    { ...trainField('backend'), help: 'wasm (the weightRows kernel: W_ij summed in f32) or js (its plain-TS twin: W_ij summed in f64, rounded to f32; ~30x slower)' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the result as one JSON object on the last stdout line' },
  ],
  positional: { name: 'RUN_DIR', min: 1, max: 1, missing: 'RUN_DIR is required (a directory written by persian-rug train --out DIR)' },
};

export const MEASURE_USAGE = usageText(`usage: persian-rug measure RUN_DIR [--json] [--rows K] [--samples S] [--seed S] [--backend wasm|js]

Statistics of a trained model (docs/theory.md §2) read from RUN_DIR (written by persian-rug train --out DIR:
run.json and weights.safetensors): diagonal W_ii and bias b_i (mean, Delta = variance over features),
Var nu_i = v sigma_i^2 and E nu_i (mean, Delta), Lyapunov ratios, moments of the off-diagonal W_ij,
Kolmogorov-Smirnov tests of sampled interference nu_i against a Gaussian, norms of W and its (anti)symmetric
parts, the rank (m <= 256 only); then the loss the symmetric theory predicts from them (§3: per row, and
mean-field) against the measured evalLoss of run.json, and L*(p, r) of §4 for reference.`, MEASURE_FLAGS);

interface MeasureFlags {
  dir: string;
  rows?: number;
  samples: number;
  seed: number;
  backend: 'wasm' | 'js';
  json: boolean;
}

/** The --json object (and the source of the table). */
function summary(dir: string, run: RunSummary, s: ModelStatistics, backend: string, seconds: number, samples: number, notes: string[]) {
  const optimum = optimalSymmetricLoss(s.p, s.ratio);
  const measured = run.evalLoss;
  const ratio = (x: number) => (measured > 0 ? x / measured : null);
  let rowNormMean = 0;
  for (const x of s.rowNormSquared) rowNormMean += x;
  rowNormMean /= s.nFeatures;
  let rowNormVariance = 0;
  for (const x of s.rowNormSquared) rowNormVariance += (x - rowNormMean) ** 2;
  return {
    runDir: dir,
    nFeatures: s.nFeatures,
    nHidden: s.nHidden,
    p: s.p,
    ratio: s.ratio,
    steps: run.steps,
    diagonal: s.diagonal,
    bias: s.bias,
    rowNormSquared: { mean: rowNormMean, variance: rowNormVariance / s.nFeatures },
    interferenceVariance: s.interferenceVariance,
    interferenceMean: s.interferenceMeanSpread,
    lyapunov: s.lyapunov,
    offDiagonal: s.offDiagonal,
    norms: s.norms,
    rank: s.rank,
    singularValues: s.singularValues ? Array.from(s.singularValues) : null,
    interference: {
      rows: s.interference.rows.length,
      samplesPerRow: samples,
      meanKs: s.interference.meanKs,
      minPValue: s.interference.minPValue,
      fractionRejected: s.interference.fractionRejected,
      skewness: s.interference.skewness,
      excessKurtosis: s.interference.excessKurtosis,
    },
    loss: {
      measured,
      predicted: s.predictedLoss,
      meanField: s.meanFieldLoss,
      optimal: optimum.loss,
      predictedOverMeasured: ratio(s.predictedLoss),
      meanFieldOverMeasured: ratio(s.meanFieldLoss),
      optimalOverMeasured: ratio(optimum.loss),
    },
    optimum: { a: optimum.a, c: optimum.c, sigma: optimum.sigma },
    backend,
    seconds,
    notes,
  };
}

type Summary = ReturnType<typeof summary>;

const num = (x: number | null): string => (x === null || !Number.isFinite(x) ? String(x) : x.toPrecision(5));

function table(r: Summary): string[] {
  const row = (label: string, text: string) => `  ${label.padEnd(42)}${text}`;
  const mv = (x: { mean: number; variance: number }) => `mean ${num(x.mean).padStart(12)}   Delta ${num(x.variance)}`;
  const lines = [
    `${r.runDir}: n = ${r.nFeatures}, m = ${r.nHidden} (r = ${num(r.ratio)}), p = ${num(r.p)}${r.steps !== null ? `, ${r.steps} steps` : ''}; ${r.backend} row pass, ${r.seconds.toFixed(2)} s`,
    'statistics (docs/theory.md §2; Delta = variance over features)',
    row('diagonal W_ii', mv(r.diagonal)),
    row('bias b_i', r.bias ? mv(r.bias) : 'none'),
    row('sigma_i^2 = sum_{j!=i} W_ij^2', mv(r.rowNormSquared)),
    row('Var nu_i = v sigma_i^2', mv(r.interferenceVariance)),
    row('E nu_i = (p/2) sum_{j!=i} W_ij', mv(r.interferenceMean)),
    row('Lyapunov Lambda_i', `min ${num(r.lyapunov.min)}   mean ${num(r.lyapunov.mean)}   max ${num(r.lyapunov.max)}`),
    row('off-diagonal W_ij', `mean ${num(r.offDiagonal.mean)}   variance ${num(r.offDiagonal.variance)}   skewness ${num(r.offDiagonal.skewness)}   excess kurtosis ${num(r.offDiagonal.excessKurtosis)}`),
    row(`nu_i, ${r.interference.rows} rows x ${r.interference.samplesPerRow} samples`, `mean KS D ${num(r.interference.meanKs)}   min p-value ${num(r.interference.minPValue)}   rejected (p < 0.05) ${num(r.interference.fractionRejected)}`),
    row('standardized nu_i (pooled)', `skewness ${num(r.interference.skewness)}   excess kurtosis ${num(r.interference.excessKurtosis)}   (0 and 0 if Gaussian)`),
    row('norms', `||W|| ${num(r.norms.frobenius)}   ||sym|| ${num(r.norms.symmetric)}   ||antisym|| ${num(r.norms.antisymmetric)}`),
    row('rank', r.rank === null ? 'not computed (m > 256)' : `${r.rank} of m = ${r.nHidden}`),
    'loss (docs/theory.md §3-4)',
    row('measured (run.json evalLoss)', num(r.loss.measured)),
    row('predicted, per row L(W_ii, c_i, sigma_i)', `${num(r.loss.predicted).padEnd(12)} predicted / measured ${num(r.loss.predictedOverMeasured)}`),
    row('mean-field L(a, c, sigma)', `${num(r.loss.meanField).padEnd(12)} mean-field / measured ${num(r.loss.meanFieldOverMeasured)}`),
    row('L*(p, r) symmetric optimum', `${num(r.loss.optimal).padEnd(12)} L* / measured ${num(r.loss.optimalOverMeasured)}   (a ${num(r.optimum.a)}, c ${num(r.optimum.c)}, sigma ${num(r.optimum.sigma)})`),
  ];
  for (const note of r.notes) lines.push(`note: ${note}`);
  return lines;
}

export async function runMeasure(argv: readonly string[], io: CliIo): Promise<number> {
  let flags: MeasureFlags;
  let run: RunSummary;
  let weights: ModelWeights;
  const parsed = parseCommand(io, 'measure', MEASURE_FLAGS, MEASURE_USAGE, argv);
  if (typeof parsed === 'number') return parsed;
  try {
    const dir = parsed.positional[0];
    const isDirectory = await stat(dir).then((s) => s.isDirectory(), () => false);
    if (!isDirectory) throw new ConfigError(`RUN_DIR = ${dir}: no such directory`);
    run = await readRunSummary(dir);
    const rows = parsed.given('rows') ? checkNumber({ ...fieldOf(MEASURE_FLAGS, 'rows'), max: run.nFeatures }, parsed.number('rows')) : undefined;
    weights = await readRunWeights(dir, run);
    flags = {
      dir, rows, samples: parsed.number('samples')!, seed: parsed.number('seed')!,
      backend: parsed.string('backend') as MeasureFlags['backend'], json: parsed.on('json'),
    };
  } catch (error) {
    return usageFailure(io, 'measure', error);
  }
  const notes: string[] = [];
  if (run.perFeatureP) notes.push(`per-feature p: the symmetric theory needs one p; the mean p = ${num(run.p)} is used throughout`);
  if (run.activation !== 'relu') notes.push(`activation ${run.activation}: the predicted losses (docs/theory.md §3) assume ReLU`);
  if (!run.uniformImportance) notes.push('importance weights: the measured evalLoss is importance-weighted; the predictions are not');
  if (run.nHidden > 256) notes.push('rank not computed: its Jacobi eigenvalue problem is O(m^3) in plain TS (only for m <= 256)');
  if (io.stderrStatus) io.stderrStatus(`measure: forming W = W_out W_in (${run.nFeatures} x ${run.nFeatures}, ${flags.backend}) ...`);
  const start = performance.now();
  const rowPass = flags.backend === 'wasm' ? await createWasmRowPass() : referenceRowPass;
  const statistics = modelStatistics(
    { nFeatures: weights.nFeatures, nHidden: weights.nHidden, win: weights.win, wout: weights.wout, bias: run.bias ? weights.bias : null, p: run.p },
    { sampleRows: flags.rows, samplesPerRow: flags.samples, seed: flags.seed, rowPass },
  );
  const seconds = (performance.now() - start) / 1000;
  if (io.stderrStatus) io.stderrStatus('');
  const result = summary(flags.dir, run, statistics, flags.backend, seconds, flags.samples, notes);
  if (flags.json) io.stdout(stringifyJson(result));
  else for (const line of table(result)) io.stdout(line);
  return EXIT.ok;
}
