// `persian-rug reproduce`: the sweeps behind the paper's figures (small: a coarse preview; paper: the full grid), then plot.
import { join } from 'node:path';
import { makeDirectory } from '../io/outputPath.js';
import { createTrainer } from '../train/trainer.js';
import { expandGrid, gridId, type GridSpec } from '../sweep/grid.js';
import { linspace } from '../config/schema.js';
import { formatDuration, planSeconds, trainStepSeconds } from '../sweep/cost.js';
import { executeSweep, describeGrid, type SweepPlan } from './sweep.js';
import { loadRecords, writeFigures } from './plot.js';
import { sweepFigures, PAPER_P } from '../figures/sweep.js';
import { checkFigureDependencies } from '../plot/render.js';
import { EXIT, type CliIo } from './io.js';
import { checkOutput } from './output.js';
import { parseFlags, usageFailure, usageText, type CommandFlags, type Flags } from './flags.js';


const COMMON = {
  kinds: ['trained', 'rug', 'theory', 'linear'],
  seeds: [0],
  rug: { fit: 'theory', samples: 20000, epochs: 10, rowSets: 5 },
  statistics: { sampleRows: 16, samplesPerRow: 1000, maxRankHidden: 128 },
} as const;

/**
 * The two scales. small: a 6 x 7 (p, r) grid at n = 256, 512, 1024 with 1,500 steps of batch 256 (about 2%
 * of the paper's sample budget; loss is not converged, the trends and the statistics' pattern show); its p and r
 * are the values of the paper's loss panels (p 0.001 .. 0.6, r 0.01 .. 0.8; PAPER_P, PAPER_R in figures/sweep.ts)
 * plus r = 0.2 and 0.65 for the heat maps; the cost model puts it at 0.92x the earlier 6 x 6 linspace grid
 * (measured 29.5 min); measured 73 min on 2 cores shared with three other jobs (load 9-12), 15-30 min idle. paper: the paper's grid (docs/theory.md §1): r, p in linspace(0.002001, 0.8, 20),
 * n = 128 .. 8192, up to 1,500 epochs with the stop rule.
 */
export const SCALES: Record<'small' | 'paper', GridSpec> = {
  small: {
    ...COMMON, kinds: [...COMMON.kinds], seeds: [...COMMON.seeds], rug: { ...COMMON.rug }, statistics: { ...COMMON.statistics },
    n: [256, 512, 1024], ratio: [0.01, 0.1, 0.2, 0.3, 0.5, 0.65, 0.8], p: [...PAPER_P],
    train: { steps: 1500, batch: 256 },
  },
  paper: {
    ...COMMON, kinds: [...COMMON.kinds], seeds: [...COMMON.seeds], rug: { ...COMMON.rug }, statistics: { ...COMMON.statistics },
    n: [128, 256, 512, 1024, 2048, 4096, 8192], ratio: linspace(0.002001, 0.8, 20), p: linspace(0.002001, 0.8, 20),
    train: { epochs: 1500 },
  },
};

export const REPRODUCE_FLAGS: CommandFlags = {
  fields: [
    { key: 'scale', flag: 'scale', kind: 'enum', choices: ['small', 'paper'], default: 'small', help: `small: ${describeGrid(SCALES.small)}; ${SCALES.small.train.steps} steps of batch ${SCALES.small.train.batch} per trained cell; an estimated 15-30 minutes on an idle 2-core machine (--dry-run prints the estimate for this one). paper: ${describeGrid(SCALES.paper)}; up to ${SCALES.paper.train.epochs} epochs (stop rule) per trained cell, the paper's recipe: days to years on a CPU, spread it over a cluster with persian-rug slurm (or sweep --shard i/N and merge); needs --yes to start` },
    { key: 'out', flag: 'out', kind: 'string', valueName: 'DIR', defaultText: 'reproduce-SCALE', help: 'output directory' },
    { key: 'workers', flag: 'workers', kind: 'int', min: 0, max: 256, valueName: 'K', defaultText: 'one per core', help: 'trained cells on K worker threads; 0: in this thread' },
    { key: 'dryRun', flag: 'dry-run', kind: 'boolean', help: 'print the plan and the estimate, run nothing' },
    { key: 'yes', flag: 'yes', kind: 'boolean', help: 'start the paper scale' },
  ],
};

export const REPRODUCE_USAGE = usageText(`usage: persian-rug reproduce [--scale small|paper] [--out DIR] [--workers K] [--yes]

Runs the sweeps behind the paper's figures (trained models, the Persian rug, L* and the linear baseline at
every cell; docs/theory.md §6) into DIR/results.jsonl, then draws every figure into DIR/figures (SVG and PNG).
A rerun continues where the last one stopped (cells already in the results file are skipped).`, REPRODUCE_FLAGS);

/**
 * Measured seconds of a train step over the cost model's, on this machine at its current load (~2 s of training).
 * The probe is a heavy cell of the small grid (n = 1024, m = 512, p = 0.4): those dominate the sweep's time.
 */
export async function calibrate(): Promise<number> {
  const config = { nFeatures: 1024, nHidden: 512, featureProbability: 0.4, batch: 256, steps: 16, evalSamples: 256, seed: 0 };
  const warm = await createTrainer({ ...config, steps: 2 });
  await warm.run();
  warm.dispose();
  const trainer = await createTrainer(config);
  try {
    const result = await trainer.run({ progressEverySteps: 1000 });
    if (!(result.samplesPerSecond > 0)) return 1;
    const measured = config.batch / result.samplesPerSecond;
    return Math.max(0.1, Math.min(10, measured / trainStepSeconds(config.nFeatures, config.nHidden, config.featureProbability, config.batch)));
  } finally {
    trainer.dispose();
  }
}

export async function runReproduce(argv: readonly string[], io: CliIo): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(REPRODUCE_FLAGS, argv);
  } catch (error) {
    return usageFailure(io, 'reproduce', error);
  }
  if (flags.help) { io.stdout(REPRODUCE_USAGE); return EXIT.ok; }
  const scale = flags.string('scale') as 'small' | 'paper';
  const out = flags.string('out');
  const workers = flags.number('workers');
  const yes = flags.on('yes'), dryRun = flags.on('dryRun');
  const dir = out ?? `reproduce-${scale}`;
  const spec = SCALES[scale];
  const cells = expandGrid(spec);
  try {
    // the folder is resumed when it exists (results.jsonl is continued); a few kB a record, figures on top
    await checkOutput({ flag: '--out', path: dir, kind: 'directory', bytes: cells.length * 8192 + (64 << 20), existing: 'allow' });
  } catch (error) {
    return usageFailure(io, 'reproduce', error);
  }
  const cores: number = await import('../host/cores.js').then((h) => h.hardwareConcurrency());
  const threads: number = workers === undefined ? cores : workers;
  const factor = await calibrate();
  const estimate = planSeconds(cells, spec, Math.max(1, threads), factor);
  const counts = spec.kinds.map((k) => `${cells.filter((c) => c.kind === k).length} ${k}`).join(', ');
  io.stdout(`reproduce --scale ${scale}: ${cells.length} cells (${counts}); ${describeGrid(spec)}`);
  io.stdout(`  trained cells: ${spec.train.steps !== undefined ? `${spec.train.steps} steps` : `up to ${spec.train.epochs} epochs (stop rule)`}, batch ${spec.train.batch ?? 1024}, lr 3e-3/sqrt(n); rug: theory fit, ${spec.rug.samples} samples`);
  io.stdout(`  estimated ${formatDuration(estimate.wall)} on ${Math.max(1, threads)} thread(s) (${formatDuration(estimate.total)} of compute; this machine, at its current load, measured at ${factor.toFixed(2)}x the cost model)`);
  io.stdout(`  results: ${join(dir, 'results.jsonl')}, figures: ${join(dir, 'figures')}`);
  if (dryRun) return EXIT.ok;
  try {
    await checkFigureDependencies();
  } catch (error) {
    return usageFailure(io, 'reproduce', error);
  }
  if (scale === 'paper' && !yes) {
    io.stderr(`persian-rug reproduce: the paper scale is estimated at ${formatDuration(estimate.wall)}; add --yes to start it, or spread it over a cluster: persian-rug slurm GRID-FLAGS --tasks N --dir DIR (README: On a cluster)`);
    return EXIT.usage;
  }
  await makeDirectory(dir);
  const results = join(dir, 'results.jsonl');
  const plan: SweepPlan = { spec, out: results, resume: true, shard: { index: 1, count: 1 }, workers, dryRun: false, json: false };
  const outcome = await executeSweep(plan, io, 'reproduce', factor);
  if (!outcome) return EXIT.usage;
  io.stdout(`  sweep: ${outcome.written} cells run, ${outcome.skipped} already done${outcome.failed ? `, ${outcome.failed} FAILED` : ''}, ${formatDuration(outcome.seconds)} (grid ${gridId(spec)})`);
  const records = (await loadRecords([results], io, 'reproduce')).filter((r) => r.gridId === gridId(spec));
  const written = await writeFigures(sweepFigures(records), join(dir, 'figures'), ['svg', 'png']);
  io.stdout(`  figures: ${written.length} files in ${join(dir, 'figures')}`);
  return outcome.failed ? EXIT.failure : EXIT.ok;
}
