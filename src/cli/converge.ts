// `persian-rug converge`: at one (p, r), trained loss (paper's recipe, step-capped), rug loss and L* as n grows.
import { MAX_FEATURES, stepsPerEpoch as epochSteps, resolveTrainConfig, TRAIN_SCHEMA } from '../train/config.js';
import { ConfigError } from '../config/schema.js';
import { checkModelMemory } from '../train/trainer.js';
import { expandGrid, gridId, isPowerOfTwo, type GridSpec } from '../sweep/grid.js';
import { formatDuration, planSeconds } from '../sweep/cost.js';
import { cellTrainConfig, inProcessExecutor, runCells, workerPoolExecutor, type TrainExecutor } from '../sweep/run.js';
import type { SweepRecord } from '../sweep/record.js';
import { EXIT, type CliIo } from './io.js';
import { hardwareConcurrency } from '../host/cores.js';
import { parseCommand, trainField, usageFailure, usageText, type CommandFlags } from './flags.js';
import { stringifyJson } from '../io/json.js';

/** The paper's recipe runs up to 1,500 epochs (docs/theory.md §1). */
const PAPER_EPOCHS = 1500;
/** Default wall-clock budget of the whole command; the step cap is the largest that fits it. */
const CONVERGE_BUDGET_SECONDS = 150;

const refuse = (key: string) => (): never => { throw new ConfigError(`converge sets ${key} itself; use --r R and --steps CAP`); };

export const CONVERGE_FLAGS: CommandFlags = {
  fields: [
    { ...trainField('featureProbability'), kind: 'number', default: undefined, required: true, valueName: 'P', help: 'feature probability in (0, 1]' },
    { key: 'ratio', flag: 'r', kind: 'number', min: 0, minExclusive: true, max: 1, required: true, valueName: 'R', help: 'ratio in (0, 1]; m = max(1, floor(n R))' },
    { key: 'nFeatures', flag: 'n', kind: 'axis', integer: true, min: 1, max: MAX_FEATURES, valueName: 'LIST', defaultText: '256,512,1024,2048', help: 'numbers of features, a comma list' },
    { key: 'steps', flag: 'steps', kind: 'int', min: 1, max: 1e9, valueName: 'CAP', defaultText: `the largest cap that keeps the whole command near ${CONVERGE_BUDGET_SECONDS} s here; the output says it is capped`, help: 'cap on training steps, rounded down to whole epochs' },
    { key: 'workers', flag: 'workers', kind: 'int', min: 0, max: 256, valueName: 'K', defaultText: 'one per core', help: 'train on K worker threads; 0: in this thread' },
    { key: 'rugSamples', flag: 'rug-samples', kind: 'int', min: 2, max: 1e8, default: 20000, valueName: 'K', help: 'Monte-Carlo samples of the rug loss' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print one JSON object as the last stdout line' },
    // the other training flags, as persian-rug train has them; converge sets m, epochs and importance itself
    ...TRAIN_SCHEMA.filter((f) => !['nFeatures', 'featureProbability', 'steps', 'ratio', 'nHidden', 'epochs', 'importance'].includes(f.key)),
    ...(['nHidden', 'epochs', 'importance'] as const).map((key) => ({ ...trainField(key), key: `refused.${key}`, kind: 'string' as const, parse: refuse(key), help: `refused: converge sets ${key} itself` })),
    { key: 'refused.ratio', flag: 'ratio', kind: 'string', parse: refuse('ratio'), help: 'refused: use --r R' },
  ],
};

export const CONVERGE_USAGE = usageText(`usage: persian-rug converge --p P --r R [--n LIST] [--steps CAP] [flags]

Trains the toy model at one (p, r) for each n with the paper's recipe (Adam, lr 3e-3/sqrt(n), batch 1024,
fresh samples, up to ${PAPER_EPOCHS} epochs of 30,000 samples with the stop rule of docs/theory.md §1) but capped at
CAP steps, evaluates the Persian rug at the same (n, m, p) (theory fit, n a power of two), and prints trained
loss, rug loss and L*(p, m / n) side by side with their ratios. The flags from --seed on are those of
persian-rug train.`, CONVERGE_FLAGS);

export async function runConverge(argv: readonly string[], io: CliIo): Promise<number> {
  let spec: GridSpec;
  let capped: { steps: number; epochs: number; defaulted: boolean };
  let workers: number | undefined;
  let json = false;
  const flags = parseCommand(io, 'converge', CONVERGE_FLAGS, CONVERGE_USAGE, argv);
  if (typeof flags === 'number') return flags;
  try {
    json = flags.on('json');
    const p = flags.number('featureProbability')!;
    const r = flags.number('ratio')!;
    const ns = flags.list('nFeatures') ?? [256, 512, 1024, 2048];
    const { seed = 0, ...train } = flags.trainConfig();
    const allPowers = ns.every((n) => isPowerOfTwo(n) && n >= 2);
    const rugSamples = flags.number('rugSamples')!;
    workers = flags.number('workers');
    spec = {
      kinds: allPowers ? ['trained', 'rug'] : ['trained'], n: ns, ratio: [r], p: [p], seeds: [seed],
      train: { ...train, epochs: PAPER_EPOCHS },
      rug: { fit: 'theory', samples: rugSamples, epochs: 10, rowSets: 5 },
      statistics: { sampleRows: 16, samplesPerRow: 1000, maxRankHidden: 128 },
    };
    const perEpoch = epochSteps(resolveTrainConfig({ ...cellTrainConfig(expandGrid(spec)[0], spec) }));
    let cap: number;
    let defaulted = false;
    if (flags.given('steps')) {
      cap = flags.number('steps')!;
    } else {
      defaulted = true;
      const slots = Math.max(1, Math.min(ns.length, workers ?? 2));
      cap = perEpoch;
      for (let epochs = 1; epochs <= PAPER_EPOCHS; epochs++) {
        const trial = { ...spec, train: { ...spec.train, epochs } };
        if (planSeconds(expandGrid(trial), trial, slots).wall > CONVERGE_BUDGET_SECONDS) break;
        cap = epochs * perEpoch;
      }
    }
    // whole epochs (the stop rule is checked once an epoch); a cap below one epoch runs exactly `cap` steps
    const epochs = Math.min(PAPER_EPOCHS, Math.floor(cap / perEpoch));
    capped = epochs >= 1 ? { steps: epochs * perEpoch, epochs, defaulted } : { steps: cap, epochs: 0, defaulted };
    if (epochs >= 1) spec.train.epochs = epochs;
    else { delete spec.train.epochs; spec.train.steps = cap; }
    for (const cell of expandGrid(spec)) if (cell.kind === 'trained') checkModelMemory(resolveTrainConfig(cellTrainConfig(cell, spec)));
  } catch (error) {
    return usageFailure(io, 'converge', error);
  }
  const cells = expandGrid(spec);
  const trainedCount = cells.filter((c) => c.kind === 'trained').length;
  const p = spec.p[0], r = spec.ratio![0];
  const isCapped = capped.epochs < PAPER_EPOCHS;
  const capText = isCapped
    ? `CAPPED at ${capped.epochs ? `${capped.epochs} epochs = ` : ''}${capped.steps} steps${capped.epochs ? '' : ' (less than one epoch: fixed steps, no stop rule)'} (the paper allows ${PAPER_EPOCHS} epochs; ${capped.defaulted ? 'default cap for a few minutes here, raise it with --steps' : 'cap from --steps'}); the stop rule may end runs earlier`
    : `up to ${PAPER_EPOCHS} epochs with the stop rule (not capped)`;
  const threads = workers ?? 2;
  const estimate = planSeconds(cells, spec, Math.max(1, Math.min(trainedCount, threads)));
  io.stderr(`converge: p = ${p}, r = ${r}, n = ${spec.n.join(', ')}; ${capText}; estimated ${formatDuration(estimate.wall)}`);
  let executor: TrainExecutor = inProcessExecutor();
  if (workers !== 0) {
    try {
      executor = await workerPoolExecutor(Math.min(trainedCount, workers ?? (await hardwareConcurrency())));
    } catch (error) {
      io.stderr(`converge: worker pool unavailable (${(error as Error).message}); training on this thread`);
    }
  }
  const records: SweepRecord[] = [];
  const started = performance.now();
  let failures;
  try {
    failures = await runCells(cells, {
      spec, gridId: gridId(spec), executor,
      onRecord: (record) => {
        records.push(record);
        const line = `converge: ${records.length}/${cells.length} done (${record.key}), ${formatDuration((performance.now() - started) / 1000)}`;
        if (io.stderrStatus) io.stderrStatus(line); else io.stderr(line);
      },
      onFailure: (cell, error) => io.stderr(`converge: ${cell.key} failed: ${error.message}`),
    });
  } finally {
    executor.close();
  }
  if (io.stderrStatus) io.stderrStatus('');
  const rows = spec.n.map((n) => {
    const trained = records.find((x) => x.kind === 'trained' && x.n === n);
    const rug = records.find((x) => x.kind === 'rug' && x.n === n);
    const any = trained ?? rug;
    const theory = any?.theoryLoss ?? NaN;
    return {
      n, m: any?.m ?? null, steps: trained?.training?.steps ?? null, stopReason: trained?.training?.stopReason ?? null,
      trainedLoss: trained?.evalLoss ?? null, rugLoss: rug?.evalLoss ?? null, rugLossStdErr: rug?.rug?.lossStdErr ?? null, theoryLoss: theory,
      trainedOverTheory: trained ? trained.evalLoss / theory : null, rugOverTheory: rug ? rug.evalLoss / theory : null,
      trainedOverRug: trained && rug ? trained.evalLoss / rug.evalLoss : null, seconds: trained?.seconds ?? null,
    };
  });
  const seconds = (performance.now() - started) / 1000;
  const fmt = (v: number | null, digits = 4) => (v === null || !Number.isFinite(v) ? '-' : v.toExponential(digits));
  const ratio = (v: number | null) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(3));
  io.stdout(`converge p = ${p}, r = ${r}: paper's recipe ${capText}`);
  io.stdout(`${'n'.padStart(6)} ${'m'.padStart(5)} ${'steps'.padStart(6)} ${'stop'.padEnd(10)} ${'trained'.padStart(11)} ${'rug'.padStart(11)} ${'L*(p,m/n)'.padStart(11)} ${'trained/L*'.padStart(10)} ${'rug/L*'.padStart(7)} ${'trained/rug'.padStart(11)}`);
  for (const row of rows) {
    io.stdout(`${String(row.n).padStart(6)} ${String(row.m ?? '-').padStart(5)} ${String(row.steps ?? '-').padStart(6)} ${String(row.stopReason ?? '-').padEnd(10)} ${fmt(row.trainedLoss).padStart(11)} ${fmt(row.rugLoss).padStart(11)} ${fmt(row.theoryLoss).padStart(11)} ${ratio(row.trainedOverTheory).padStart(10)} ${ratio(row.rugOverTheory).padStart(7)} ${ratio(row.trainedOverRug).padStart(11)}`);
  }
  if (spec.kinds.length === 1) io.stdout('  (rug column empty: the Persian rug needs every n to be a power of two)');
  io.stdout(`  ${formatDuration(seconds)}${failures.length ? `; ${failures.length} FAILED` : ''}`);
  if (json) io.stdout(stringifyJson({ p, r, capped: isCapped, capEpochs: capped.epochs, capSteps: capped.steps, paperEpochs: PAPER_EPOCHS, rows, seconds }));
  return failures.length ? EXIT.failure : EXIT.ok;
}
