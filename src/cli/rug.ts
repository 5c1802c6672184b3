// `persian-rug rug`: build the Persian rug (PAPER.md §5), fit (A, mu) by theory and/or Adam, Monte-Carlo loss vs L*, PNG.
import { dirname, join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { ModelWeights } from '../api.js';
import { optimalSymmetricLoss } from '../theory/index.js';
import {
  checkHadamardOrder, createRug, createRugEngine, evaluateRug, fitAdam, theoryRugFit, rugInterferenceMean, rugEffectiveBias,
  rugImage, modelImage, sideBySide, MAX_IMAGE_BLOCK, MAX_HADAMARD_ORDER, type Rug, type RugFit, type RugEvaluation,
} from '../rug/index.js';
import { encodePng } from '../plot/png.js';
import { readWeights, writeFileAtomic, WEIGHTS_FILE } from '../io/runRecord.js';
import { EXIT, type CliIo } from './io.js';
import { parseNumberText } from '../train/config.js';
import { stringifyJson } from '../io/json.js';

export const RUG_USAGE = `usage: persian-rug rug --n N (--m M | --ratio R) --p P [flags]

Builds the Persian rug of PAPER.md §5: m random rows S of the order-n Sylvester-Hadamard matrix,
W_in = H_S, W_out = H_S^T / m, y = ReLU(A (W x + mu)); fits the two scalars (A, mu) and measures its
loss on fresh samples against the symmetric optimum L*(p, r = m / n) of PAPER.md §4.

flags:
  --n N            number of features, a power of two in [2, ${MAX_HADAMARD_ORDER}]
  --m M            hidden width, an integer in [1, n]
  --ratio R        m / n in (0, 1]; sets m = max(1, floor(n R)); exclusive with --m
  --p P            probability a feature is on, in (0, 1]
  --seed S         u32 seed of the row sets and the samples (default 0)
  --fit F          theory (A = a, mu = c / a - E nu from L*; no training), adam (the paper's recipe), or both (default theory)
  --epochs E       Adam: epochs of 10,000 samples, batch 512, lr 0.3 / sqrt(n), an integer in [1, 10000] (default 10;
                   the paper allows 100: at n >= 4096 the small lr needs them, 10 epochs leave A, mu short of the optimum)
  --row-sets K     Adam: best of K random row sets, an integer in [1, 100] (default 5)
  --samples K      Monte-Carlo samples for the loss, an integer in [2, 100000000] (default 20000)
  --backend B      wasm (SIMD kernels) or js (the plain-TS twins) (default wasm)
  --png FILE       write W's top-left block and the bias column as a PNG (written atomically); blue-white-red,
                   W scaled by its largest |W_ij| off the diagonal (the diagonal, 1, saturates red), the bias
                   column by its own largest |b_i|; the rug's bias column is its effective bias c = A (mu + E nu)
  --block B        entries per side of the block drawn, an integer in [1, min(n, ${MAX_IMAGE_BLOCK})] (default min(n, 64))
  --trained DIR    a run directory (persian-rug train --out DIR) whose W = W_out W_in is drawn beside the rug; needs --png
  --json           print the result as one JSON object on the last stdout line: n, m, p, A, mu, loss, lossStdErr,
                   theoryLoss (L*), fit, seconds, ...; with --fit both the top-level fit is the theory's and
                   fits.adam holds Adam's
  --help           this text`;

class UsageError extends Error {}

interface RugFlags {
  n: number;
  m: number;
  p: number;
  seed: number;
  fit: 'theory' | 'adam' | 'both';
  epochs: number;
  rowSets: number;
  samples: number;
  backend: 'wasm' | 'js';
  png?: string;
  block: number;
  trained?: string;
  json: boolean;
  help: boolean;
}

const VALUE_FLAGS = ['n', 'm', 'ratio', 'p', 'seed', 'fit', 'epochs', 'row-sets', 'samples', 'backend', 'png', 'block', 'trained'] as const;
const SWITCHES = ['json', 'help'] as const;

function parseInteger(flag: string, text: string, lo: number, hi: number, what = `an integer in [${lo}, ${hi}]`): number {
  const v = parseNumberText(text) ?? NaN;
  if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new UsageError(`--${flag} = ${text} is not ${what}`);
  return v;
}

function parseNumber(flag: string, text: string, ok: (v: number) => boolean, what: string): number {
  const v = parseNumberText(text) ?? NaN;
  if (!(Number.isFinite(v) && ok(v))) throw new UsageError(`--${flag} = ${text} is not ${what}`);
  return v;
}

export function parseRugFlags(argv: readonly string[]): RugFlags {
  const raw = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"; flags look like --name value (see --help)`);
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { inline = name.slice(eq + 1); name = name.slice(0, eq); }
    if (raw.has(name) || switches.has(name)) throw new UsageError(`--${name} is given twice`);
    if ((SWITCHES as readonly string[]).includes(name)) {
      if (inline !== undefined && inline !== 'true') throw new UsageError(`--${name}=${inline}: a switch takes no value`);
      switches.add(name);
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown flag --${name}; known flags: ${[...VALUE_FLAGS, ...SWITCHES].map((f) => `--${f}`).join(' ')}`);
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && !/^--?\d/.test(next))) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    raw.set(name, value);
  }
  const help = switches.has('help');
  if (help) return { help } as RugFlags;
  for (const required of ['n', 'p']) if (!raw.has(required)) throw new UsageError(`--${required} is required (see --help)`);
  const nText = raw.get('n')!;
  const n = parseNumberText(nText) ?? NaN;
  try {
    checkHadamardOrder(n);
  } catch {
    throw new UsageError(`--n = ${nText} is not a power of two in [2, ${MAX_HADAMARD_ORDER}]`);
  }
  if (raw.has('m') && raw.has('ratio')) throw new UsageError(`--m = ${raw.get('m')} and --ratio = ${raw.get('ratio')} conflict; give one of them`);
  let m: number;
  if (raw.has('m')) m = parseInteger('m', raw.get('m')!, 1, n);
  else if (raw.has('ratio')) m = Math.max(1, Math.floor(n * parseNumber('ratio', raw.get('ratio')!, (v) => v > 0 && v <= 1, 'a number in (0, 1]')));
  else throw new UsageError('--m or --ratio is required (see --help)');
  const p = parseNumber('p', raw.get('p')!, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  const fit = raw.get('fit') ?? 'theory';
  if (fit !== 'theory' && fit !== 'adam' && fit !== 'both') throw new UsageError(`--fit = ${fit} is not one of theory, adam, both`);
  const backend = raw.get('backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'js') throw new UsageError(`--backend = ${backend} is not one of wasm, js`);
  const maxBlock = Math.min(n, MAX_IMAGE_BLOCK);
  const png = raw.get('png');
  if (png !== undefined && png.trim() === '') throw new UsageError('--png needs a file name');
  const trained = raw.get('trained');
  if (trained !== undefined && png === undefined) throw new UsageError(`--trained = ${trained} needs --png FILE (the trained W is drawn beside the rug)`);
  if (raw.has('block') && png === undefined) throw new UsageError(`--block = ${raw.get('block')} needs --png FILE`);
  return {
    n, m, p, fit, backend, png, trained, help: false,
    seed: raw.has('seed') ? parseInteger('seed', raw.get('seed')!, 0, 4294967295) : 0,
    epochs: raw.has('epochs') ? parseInteger('epochs', raw.get('epochs')!, 1, 10000) : 10,
    rowSets: raw.has('row-sets') ? parseInteger('row-sets', raw.get('row-sets')!, 1, 100) : 5,
    samples: raw.has('samples') ? parseInteger('samples', raw.get('samples')!, 2, 1e8) : 20000,
    block: raw.has('block') ? parseInteger('block', raw.get('block')!, 1, maxBlock) : Math.min(n, 64),
    json: switches.has('json'),
  };
}

/** Reads DIR/weights.safetensors (or a .safetensors file given directly); UsageError when missing or malformed. */
async function loadTrained(path: string): Promise<ModelWeights> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, WEIGHTS_FILE);
  } catch {
    throw new UsageError(`--trained = ${path}: no such file or directory`);
  }
  try {
    return await readWeights(file);
  } catch (error) {
    throw new UsageError(`--trained = ${path}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** UsageError unless the PNG's directory exists. */
async function checkOutputDirectory(file: string): Promise<void> {
  const dir = dirname(file);
  const ok = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!ok) throw new UsageError(`--png = ${file}: directory ${dir} does not exist`);
}

interface FitReport {
  fit: 'theory' | 'adam';
  A: number;
  mu: number;
  effectiveBias: number;
  rowSet: number;
  zeroInRows: boolean;
  loss: number;
  lossStdErr: number;
  trainLoss?: number;
  rowSetLosses?: number[];
  steps?: number;
}

function report(kind: 'theory' | 'adam', rug: Rug, fit: RugFit, p: number, evaluation: RugEvaluation): FitReport {
  return {
    fit: kind, A: fit.scale, mu: fit.shift, effectiveBias: rugEffectiveBias(rug, p, fit.scale, fit.shift),
    rowSet: rug.rowSet, zeroInRows: rug.zeroInRows, loss: evaluation.loss, lossStdErr: evaluation.lossStdErr,
  };
}

export async function runRug(argv: readonly string[], io: CliIo): Promise<number> {
  let flags: RugFlags;
  let trained: ModelWeights | undefined;
  try {
    flags = parseRugFlags(argv);
    if (flags.help) {
      io.stdout(RUG_USAGE);
      return EXIT.ok;
    }
    if (flags.trained !== undefined) trained = await loadTrained(flags.trained);
    if (flags.png !== undefined) await checkOutputDirectory(flags.png);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`persian-rug rug: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  const { n, m, p, seed } = flags;
  const r = m / n;
  const started = performance.now();
  const optimum = optimalSymmetricLoss(p, r);
  const engine = await createRugEngine(flags.backend, n, p);
  const fits: FitReport[] = [];
  let shown: { rug: Rug; fit: RugFit } | undefined;
  try {
    if (flags.fit !== 'adam') {
      const rug = createRug(n, m, seed, 0);
      const fit = theoryRugFit(rug, p);
      engine.setRug(rug);
      fits.push(report('theory', rug, fit, p, evaluateRug(engine, fit, seed, flags.samples)));
      shown = { rug, fit };
    }
    if (flags.fit !== 'theory') {
      let lastStatus = performance.now();
      const adam = fitAdam(engine, m, {
        seed, epochs: flags.epochs, rowSets: flags.rowSets,
        onEpoch: (rowSet, epoch, loss) => {
          const line = `rug adam: row set ${rowSet + 1}/${flags.rowSets} epoch ${epoch + 1}/${flags.epochs} loss ${loss.toExponential(4)}`;
          if (io.stderrStatus) io.stderrStatus(line);
          else if (performance.now() - lastStatus > 5000) {
            lastStatus = performance.now();
            io.stderr(line);
          }
        },
      });
      if (io.stderrStatus) io.stderrStatus('');
      engine.setRug(adam.rug);
      const entry = report('adam', adam.rug, adam, p, evaluateRug(engine, adam, seed, flags.samples));
      fits.push({ ...entry, trainLoss: adam.trainLoss, rowSetLosses: adam.rowSetLosses, steps: adam.steps });
      shown ??= { rug: adam.rug, fit: adam };
    }
  } finally {
    engine.dispose();
  }
  if (flags.png !== undefined && shown) {
    const panels = [rugImage(shown.rug, shown.fit, p, flags.block).raster];
    if (trained) panels.push(modelImage(trained, Math.min(flags.block, trained.nFeatures)).raster);
    await writeFileAtomic(flags.png, encodePng(panels.length > 1 ? sideBySide(panels) : panels[0]));
  }
  const seconds = (performance.now() - started) / 1000;
  const main = fits[0];
  const summary = {
    n, m, p, ratio: r, seed, fit: flags.fit,
    A: main.A, mu: main.mu, effectiveBias: main.effectiveBias, loss: main.loss, lossStdErr: main.lossStdErr,
    theoryLoss: optimum.loss, theoryA: optimum.a, theoryC: optimum.c,
    relativeExcess: main.loss / optimum.loss - 1,
    interferenceMean: rugInterferenceMean(shown!.rug, p),
    samples: flags.samples, backend: flags.backend,
    fits: Object.fromEntries(fits.map((f) => [f.fit, f])),
    png: flags.png ?? null, trained: flags.trained ?? null, seconds,
  };
  if (flags.json) {
    io.stdout(stringifyJson(summary));
    return EXIT.ok;
  }
  io.stdout(`Persian rug n=${n} m=${m} (r=${r.toPrecision(4)}) p=${p} seed=${seed}: ${flags.samples} Monte-Carlo samples, ${flags.backend}`);
  io.stdout(`  L*(p, r) symmetric optimum        ${optimum.loss.toExponential(4)}   (a = ${optimum.a.toFixed(4)}, c = ${optimum.c.toFixed(4)})`);
  for (const f of fits) {
    const excess = ((f.loss / optimum.loss - 1) * 100).toFixed(2);
    const label = f.fit === 'theory' ? 'theory fit (no training)' : `adam, best of ${flags.rowSets} row sets`;
    io.stdout(`  ${label.padEnd(33)}${f.loss.toExponential(4)} +- ${f.lossStdErr.toExponential(1)}   (${excess}% vs L*; A = ${f.A.toFixed(4)}, mu = ${f.mu.toFixed(4)}, row set ${f.rowSet}${f.zeroInRows ? ', row 0 in S' : ''})`);
  }
  io.stdout(`  baselines: output 0 ${(p / 3).toExponential(4)}, best linear (1 - r) v ${((1 - r) * (p / 3 - (p * p) / 4)).toExponential(4)}`);
  if (flags.png !== undefined) io.stdout(`  wrote ${flags.png} (top-left ${flags.block} x ${flags.block} block of W and the bias column${trained ? `; trained W from ${flags.trained} beside it` : ''})`);
  io.stdout(`  ${seconds.toFixed(2)} s`);
  return EXIT.ok;
}
