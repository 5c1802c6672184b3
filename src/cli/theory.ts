// `persian-rug theory`: L*(p, r) of docs/theory.md §4 with its optimum (a, c, sigma, kappa) and baselines, one point or a grid.
import {
  constantLoss, highSparsityLoss, linearLoss, mmseLoss, optimalSymmetricLoss, paperCodeLinearLoss, zeroLoss,
} from '../theory/index.js';
import { EXIT, type CliIo } from './io.js';
import { checkNumber, ConfigError } from '../config/schema.js';
import { fieldOf, parseCommand, usageFailure, usageText, type CommandFlags } from './flags.js';
import { stringifyJson } from '../io/json.js';

export const THEORY_FLAGS: CommandFlags = {
  fields: [
    { key: 'featureProbability', flag: 'p', kind: 'axis', min: 0, minExclusive: true, max: 1, required: true, valueName: 'P', help: 'feature probability in (0, 1]; also START:STOP:COUNT (inclusive linspace) or a comma list' },
    { key: 'ratio', flag: 'r', kind: 'axis', min: 0, minExclusive: true, max: 1, valueName: 'R', help: 'ratio m / n in (0, 1]; same forms as --p' },
    { key: 'nFeatures', flag: 'n', kind: 'int', min: 1, help: 'number of features; with --m M gives r = M / N, with --r gives M = max(1, floor(N R)) as in the paper\'s grid' },
    { key: 'nHidden', flag: 'm', kind: 'int', min: 1, valueName: 'M', help: 'hidden width, an integer in [1, N]' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the result as JSON on the last stdout line (an object, or an array for a grid)' },
    { key: 'csv', flag: 'csv', kind: 'boolean', help: 'print a CSV table with a header line (the default for a grid)' },
  ],
  exclusive: [['json', 'csv'], ['ratio', 'nHidden']],
};

export const THEORY_USAGE = usageText(`usage: persian-rug theory --p P (--r R | --n N --m M | --n N --r R) [--json | --csv]

The best permutation-symmetric model L*(p, r) (docs/theory.md §4): optimal diagonal a, effective bias c,
row norm sigma = a sqrt((1 - r) / r), kappa = sqrt((1/r - 1) v), next to the baselines
zero (p/3), constant (v), linear ((1 - r) v), the paper code's linear (n - m - 1) p / (3 n),
the MMSE floor of any elementwise activation and the high-sparsity asymptote ((1 - r)/(6 r)) p^2 ln(1/p).`, THEORY_FLAGS);

/** One (p, r) point; n, m and paperCodeLinearLoss only when n is given. */
interface Row {
  p: number;
  r: number;
  n?: number;
  m?: number;
  loss: number;
  a: number;
  c: number;
  sigma: number;
  kappa: number;
  zeroLoss: number;
  constantLoss: number;
  linearLoss: number;
  paperCodeLinearLoss?: number;
  mmseLoss: number;
  highSparsityLoss: number;
}

function evaluate(p: number, r: number, n?: number, m?: number): Row {
  const optimum = optimalSymmetricLoss(p, r);
  const sizes = n !== undefined && m !== undefined ? { n, m } : {};
  const paper = n !== undefined && m !== undefined ? { paperCodeLinearLoss: paperCodeLinearLoss(n, m, p) } : {};
  return {
    p, r, ...sizes,
    loss: optimum.loss, a: optimum.a, c: optimum.c, sigma: optimum.sigma, kappa: optimum.kappa,
    zeroLoss: zeroLoss(p), constantLoss: constantLoss(p), linearLoss: linearLoss(p, r), ...paper,
    mmseLoss: mmseLoss(p, r), highSparsityLoss: highSparsityLoss(p, r),
  };
}

const LABELS: Array<[keyof Row, string]> = [
  ['loss', 'L* (symmetric optimum)'],
  ['a', 'a (diagonal)'],
  ['c', 'c (effective bias)'],
  ['sigma', 'sigma (row norm)'],
  ['kappa', 'kappa'],
  ['zeroLoss', 'zero output  p/3'],
  ['constantLoss', 'constant  v'],
  ['linearLoss', 'linear  (1 - r) v'],
  ['paperCodeLinearLoss', 'paper-code linear  (n-m-1)p/(3n)'],
  ['mmseLoss', 'MMSE floor (any elementwise act.)'],
  ['highSparsityLoss', 'asymptote ((1-r)/(6r)) p^2 ln(1/p)'],
];

function table(row: Row): string[] {
  const head = `p = ${row.p}, r = ${row.r}` + (row.n !== undefined ? ` (n = ${row.n}, m = ${row.m})` : '');
  const width = Math.max(...LABELS.map(([, label]) => label.length)) + 2;
  const lines = [head];
  for (const [key, label] of LABELS) {
    const value = row[key];
    if (value === undefined) continue;
    const ratio = key.endsWith('Loss') && key !== 'loss' && row.loss > 0 ? `   L*/this = ${(row.loss / value).toFixed(4)}` : '';
    lines.push(`  ${label.padEnd(width)}${value.toPrecision(6).padStart(13)}${ratio}`);
  }
  return lines;
}

const CSV_COLUMNS: Array<keyof Row> = [
  'p', 'r', 'n', 'm', 'loss', 'a', 'c', 'sigma', 'kappa', 'zeroLoss', 'constantLoss', 'linearLoss', 'paperCodeLinearLoss',
  'mmseLoss', 'highSparsityLoss',
];

export async function runTheory(argv: readonly string[], io: Pick<CliIo, 'stdout' | 'stderr'>): Promise<number> {
  let ps: number[];
  let pairs: Array<{ r: number; n?: number; m?: number }>;
  const flags = parseCommand(io, 'theory', THEORY_FLAGS, THEORY_USAGE, argv);
  if (typeof flags === 'number') return flags;
  try {
    ps = flags.list('featureProbability')!;
    const n = flags.number('nFeatures');
    if (flags.given('nHidden') && n === undefined) throw new ConfigError('--m needs --n');
    if (flags.given('ratio')) {
      pairs = flags.list('ratio')!.map((r) => {
        if (n === undefined) return { r };
        const m = Math.max(1, Math.floor(n * r));
        return { r: m / n, n, m };
      });
    } else if (flags.given('nHidden') && n !== undefined) {
      const m = checkNumber({ ...fieldOf(THEORY_FLAGS, 'nHidden'), max: n }, flags.number('nHidden'));
      pairs = [{ r: m / n, n, m }];
    } else {
      throw new ConfigError('give --r R, or --n N with --m M');
    }
  } catch (error) {
    return usageFailure(io, 'theory', error);
  }
  const rows: Row[] = [];
  for (const p of ps) for (const { r, n, m } of pairs) rows.push(evaluate(p, r, n, m));
  if (flags.on('json')) {
    io.stdout(stringifyJson(rows.length === 1 ? rows[0] : rows));
  } else if (flags.on('csv') || rows.length > 1) {
    const columns = CSV_COLUMNS.filter((key) => rows.some((row) => row[key] !== undefined));
    io.stdout(columns.join(','));
    for (const row of rows) io.stdout(columns.map((key) => (row[key] === undefined ? '' : String(row[key]))).join(','));
  } else {
    for (const line of table(rows[0])) io.stdout(line);
  }
  return EXIT.ok;
}
