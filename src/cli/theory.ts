// `persian-rug theory`: L*(p, r) of PAPER.md §4 with its optimum (a, c, sigma, kappa) and baselines, one point or a grid.
import {
  constantLoss, highSparsityLoss, linearLoss, mmseLoss, optimalSymmetricLoss, paperCodeLinearLoss, zeroLoss,
} from '../theory/index.js';
import { EXIT, type CliIo } from './io.js';
import { parseNumberText } from '../train/config.js';
import { stringifyJson } from '../io/json.js';

export const THEORY_USAGE = `usage: persian-rug theory --p P (--r R | --n N --m M | --n N --r R) [--json | --csv]

The best permutation-symmetric model L*(p, r) (PAPER.md §4): optimal diagonal a, effective bias c,
row norm sigma = a sqrt((1 - r) / r), kappa = sqrt((1/r - 1) v), next to the baselines
zero (p/3), constant (v), linear ((1 - r) v), the paper code's linear (n - m - 1) p / (3 n),
the MMSE floor of any elementwise activation and the high-sparsity asymptote ((1 - r)/(6 r)) p^2 ln(1/p).

flags:
  --p P      feature probability in (0, 1]; also START:STOP:COUNT (inclusive linspace) or a comma list
  --r R      ratio m / n in (0, 1]; same forms as --p
  --n N      number of features (integer >= 1); with --m M gives r = M / N, with --r gives
             M = max(1, floor(N R)) as in the paper's grid
  --m M      hidden width, integer in [1, N]
  --json     print the result as JSON on the last stdout line (an object, or an array for a grid)
  --csv      print a CSV table with a header line (the default for a grid)
  --help     this text`;

class UsageError extends Error {}

const VALUE_FLAGS = new Set(['p', 'r', 'n', 'm']);
const BOOLEAN_FLAGS = new Set(['json', 'csv', 'help']);

function parseFlags(argv: readonly string[]): { values: Map<string, string>; switches: Set<string> } {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(argument);
    if (!match) throw new UsageError(`unexpected argument "${argument}" (flags are --p, --r, --n, --m, --json, --csv, --help)`);
    const [, name, inline] = match;
    if (BOOLEAN_FLAGS.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value (got "${inline}")`);
      switches.add(name);
    } else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (values.has(name)) throw new UsageError(`--${name} given twice`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown flag --${name} (flags are --p, --r, --n, --m, --json, --csv, --help)`);
    }
  }
  return { values, switches };
}

/** Number from a flag value (decimal notation); `range` says what the flag allows. */
function toNumber(flag: string, text: string, range: string): number {
  const value = parseNumberText(text);
  if (value === undefined || !Number.isFinite(value)) throw new UsageError(`--${flag} ${text} is not ${range}`);
  return value;
}

/** Values of --p / --r: one number, START:STOP:COUNT (inclusive linspace, COUNT >= 1 integer) or a comma list. */
function parseValues(flag: string, text: string): number[] {
  let values: number[];
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length !== 3) throw new UsageError(`--${flag} ${text} is not START:STOP:COUNT`);
    const start = toNumber(flag, parts[0], 'a number in (0, 1]');
    const stop = toNumber(flag, parts[1], 'a number in (0, 1]');
    const count = toNumber(flag, parts[2], 'an integer COUNT in [1, 10000]');
    if (!Number.isInteger(count) || count < 1 || count > 10000) {
      throw new UsageError(`--${flag} ${text}: COUNT = ${parts[2]} is outside [1, 10000] (integer)`);
    }
    values = count === 1 ? [start] : Array.from({ length: count }, (_, k) => start + ((stop - start) * k) / (count - 1));
  } else {
    values = text.split(',').map((part) => toNumber(flag, part, 'a number in (0, 1]'));
  }
  for (const value of values) {
    if (!(value > 0 && value <= 1)) throw new UsageError(`--${flag} ${value} is outside (0, 1]`);
  }
  return values;
}

function parseInteger(flag: string, text: string, lo: number, hi: number): number {
  const value = toNumber(flag, text, `an integer in [${lo}, ${hi === Number.MAX_SAFE_INTEGER ? 'inf' : hi}]`);
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new UsageError(`--${flag} ${text} is outside [${lo}, ${hi === Number.MAX_SAFE_INTEGER ? 'inf' : hi}] (integer)`);
  }
  return value;
}

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
  let switches: Set<string>;
  try {
    const parsed = parseFlags(argv);
    switches = parsed.switches;
    if (switches.has('help')) {
      io.stdout(THEORY_USAGE);
      return EXIT.ok;
    }
    const { values } = parsed;
    if (switches.has('json') && switches.has('csv')) throw new UsageError('--json and --csv are exclusive');
    const pText = values.get('p');
    if (pText === undefined) throw new UsageError('--p is required');
    ps = parseValues('p', pText);
    const rText = values.get('r');
    const nText = values.get('n');
    const mText = values.get('m');
    if (rText !== undefined && mText !== undefined) throw new UsageError('--r and --m are exclusive (r = m / n)');
    if (mText !== undefined && nText === undefined) throw new UsageError('--m needs --n');
    const n = nText === undefined ? undefined : parseInteger('n', nText, 1, Number.MAX_SAFE_INTEGER);
    if (rText !== undefined) {
      pairs = parseValues('r', rText).map((r) => {
        if (n === undefined) return { r };
        const m = Math.max(1, Math.floor(n * r));
        return { r: m / n, n, m };
      });
    } else if (mText !== undefined && n !== undefined) {
      const m = parseInteger('m', mText, 1, n);
      pairs = [{ r: m / n, n, m }];
    } else {
      throw new UsageError('give --r R, or --n N with --m M');
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`persian-rug theory: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  const rows: Row[] = [];
  for (const p of ps) for (const { r, n, m } of pairs) rows.push(evaluate(p, r, n, m));
  if (switches.has('json')) {
    io.stdout(stringifyJson(rows.length === 1 ? rows[0] : rows));
  } else if (switches.has('csv') || rows.length > 1) {
    const columns = CSV_COLUMNS.filter((key) => rows.some((row) => row[key] !== undefined));
    io.stdout(columns.join(','));
    for (const row of rows) io.stdout(columns.map((key) => (row[key] === undefined ? '' : String(row[key]))).join(','));
  } else {
    for (const line of table(rows[0])) io.stdout(line);
  }
  return EXIT.ok;
}
