// `persian-rug rug`: build the Persian rug (docs/theory.md §5), fit (A, mu) by theory and/or Adam, Monte-Carlo loss vs L*, PNG.
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { ModelWeights } from '../api.js';
import { linearLoss, optimalSymmetricLoss, zeroLoss } from '../theory/index.js';
import {
  checkHadamardOrder, createRug, createRugEngine, evaluateRug, fitAdam, theoryRugFit, rugInterferenceMean, rugEffectiveBias,
  MAX_IMAGE_BLOCK, MAX_HADAMARD_ORDER, type Rug, type RugFit, type RugEvaluation,
} from '../rug/index.js';
import { rugFigure } from '../figures/rug.js';
import { checkFigureDependencies, renderSvg, svgToPng } from '../plot/render.js';
import { checkRunDirectory, readWeights, writeFileAtomic, WEIGHTS_FILE } from '../io/runRecord.js';
import { EXIT, type CliIo } from './io.js';
import { checkOutput, FORCE_FIELD } from './output.js';
import { checkNumber, ConfigError, describeField } from '../config/schema.js';
import { fieldOf, parseCommand, trainField, usageFailure, usageText, type CommandFlags, type Flags } from './flags.js';
import { stringifyJson } from '../io/json.js';

export const RUG_FLAGS: CommandFlags = {
  fields: [
    { key: 'nFeatures', flag: 'n', kind: 'int', min: 2, max: MAX_HADAMARD_ORDER, required: true, help: `number of features, a power of two in [2, ${MAX_HADAMARD_ORDER}]` },
    { key: 'nHidden', flag: 'm', kind: 'int', min: 1, max: MAX_HADAMARD_ORDER, valueName: 'M', help: 'hidden width, an integer in [1, n]' },
    { ...trainField('ratio'), help: 'm / n in (0, 1]; sets m = max(1, floor(n R)); exclusive with --m', valueName: 'R' },
    { ...trainField('featureProbability'), kind: 'number', default: undefined, required: true, valueName: 'P', help: 'probability a feature is on, in (0, 1]' },
    { ...trainField('seed'), help: 'u32 seed of the row sets and the samples' },
    { key: 'fit', flag: 'fit', kind: 'enum', choices: ['theory', 'adam', 'both'], default: 'theory', help: 'theory (A = a, mu = c / a - E nu from L*; no training), adam (the paper\'s recipe), or both' },
    { key: 'epochs', flag: 'epochs', kind: 'int', min: 1, max: 10000, default: 10, valueName: 'E', help: 'Adam: epochs of 10,000 samples, batch 512, lr 0.3 / sqrt(n) (the paper allows 100: at n >= 4096 the small lr needs them, 10 epochs leave A, mu short of the optimum)' },
    { key: 'rowSets', flag: 'row-sets', kind: 'int', min: 1, max: 100, default: 5, valueName: 'K', help: 'Adam: best of K random row sets' },
    { key: 'samples', flag: 'samples', kind: 'int', min: 2, max: 1e8, default: 20000, valueName: 'K', help: 'Monte-Carlo samples for the loss' },
    { ...trainField('backend'), help: 'wasm (SIMD kernels) or js (the plain-TS twins)' },
    { key: 'png', flag: 'png', kind: 'string', valueName: 'FILE', help: 'write the rug figure as a PNG (2x, written atomically): the top-left block of the rug\'s effective weights A W and its bias column c = A (mu + E nu), with axes and colour bars; blue-white-red, W clipped at its largest |W_ij| off the diagonal (the diagonal saturates red), b at its largest |b_i|; needs the optional packages vega, vega-lite, @resvg/resvg-wasm, dejavu-fonts-ttf' },
    { key: 'block', flag: 'block', kind: 'int', min: 1, max: MAX_IMAGE_BLOCK, valueName: 'B', defaultText: 'min(n, 64)', help: `entries per side of the block drawn, an integer in [1, min(n, ${MAX_IMAGE_BLOCK})]` },
    { key: 'trained', flag: 'trained', kind: 'string', valueName: 'DIR', help: 'a run directory (persian-rug train --out DIR) whose W = W_out W_in is drawn beside the rug; needs --png' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the result as one JSON object on the last stdout line: n, m, p, A, mu, loss, lossStdErr, theoryLoss (L*), fit, seconds, ...; with --fit both the top-level fit is the theory\'s and fits.adam holds Adam\'s' },
    { ...FORCE_FIELD, help: 'replace an existing --png file' },
  ],
  exclusive: [['nHidden', 'ratio']],
};

export const RUG_USAGE = usageText(`usage: persian-rug rug --n N (--m M | --ratio R) --p P [flags]

Builds the Persian rug of docs/theory.md §5: m random rows S of the order-n Sylvester-Hadamard matrix,
W_in = H_S, W_out = H_S^T / m, y = ReLU(A (W x + mu)); fits the two scalars (A, mu) and measures its
loss on fresh samples against the symmetric optimum L*(p, r = m / n) of docs/theory.md §4.`, RUG_FLAGS);

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
  force: boolean;
  block: number;
  trained?: string;
  json: boolean;
}

/** The rug's flags checked against each other; throws ConfigError. */
function rugFlags(flags: Flags): RugFlags {
  const n = flags.number('nFeatures')!;
  try {
    checkHadamardOrder(n);
  } catch {
    throw new ConfigError(`${describeField(fieldOf(RUG_FLAGS, 'nFeatures'))} = ${n} is not a power of two in [2, ${MAX_HADAMARD_ORDER}]`);
  }
  let m: number;
  if (flags.given('nHidden')) m = checkNumber({ ...fieldOf(RUG_FLAGS, 'nHidden'), max: n }, flags.number('nHidden'));
  else if (flags.given('ratio')) m = Math.max(1, Math.floor(n * flags.number('ratio')!));
  else throw new ConfigError('--m or --ratio is required (see --help)');
  const png = flags.string('png');
  const trained = flags.string('trained');
  if (trained !== undefined && png === undefined) throw new ConfigError(`--trained = ${trained} needs --png FILE (the trained W is drawn beside the rug)`);
  if (flags.given('block') && png === undefined) throw new ConfigError(`--block = ${flags.number('block')} needs --png FILE`);
  return {
    n, m, p: flags.number('featureProbability')!, png, trained, force: flags.on('force'),
    fit: flags.string('fit') as RugFlags['fit'],
    backend: flags.string('backend') as RugFlags['backend'],
    seed: flags.number('seed')!,
    epochs: flags.number('epochs')!,
    rowSets: flags.number('rowSets')!,
    samples: flags.number('samples')!,
    block: flags.given('block') ? checkNumber({ ...fieldOf(RUG_FLAGS, 'block'), max: Math.min(n, MAX_IMAGE_BLOCK) }, flags.number('block')) : Math.min(n, 64),
    json: flags.on('json'),
  };
}

/** Reads DIR/weights.safetensors (or a .safetensors file given directly); ConfigError when missing or malformed. */
async function loadTrained(path: string): Promise<ModelWeights> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, WEIGHTS_FILE);
  } catch {
    throw new ConfigError(`--trained = ${path}: no such file or directory`);
  }
  try {
    if (file !== path) await checkRunDirectory(path, { recordMustParse: true });
    return await readWeights(file);
  } catch (error) {
    throw new ConfigError(`--trained = ${path}: cannot read ${file}: ${(error as Error).message}`);
  }
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
  const given = parseCommand(io, 'rug', RUG_FLAGS, RUG_USAGE, argv);
  if (typeof given === 'number') return given;
  let flags: RugFlags;
  let trained: ModelWeights | undefined;
  try {
    flags = rugFlags(given);
    if (flags.trained !== undefined) trained = await loadTrained(flags.trained);
    if (flags.png !== undefined) {
      // a PNG of W's block at most a few MB; --force to replace an existing file
      await checkOutput({ flag: '--png', path: flags.png, kind: 'file', bytes: 8 << 20, existing: flags.force ? 'allow' : 'refuse' });
      await checkFigureDependencies();
    }
  } catch (error) {
    return usageFailure(io, 'rug', error);
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
    const figure = rugFigure(shown.rug, shown.fit, p, {
      block: flags.block, trained: trained && flags.trained ? { weights: trained, source: flags.trained } : undefined,
      note: `${fits[0].fit} fit · ${new Date().toISOString().slice(0, 10)}`,
    });
    await writeFileAtomic(flags.png, await svgToPng((await renderSvg(figure.spec)).svg));
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
  io.stdout(`  baselines: output 0 ${zeroLoss(p).toExponential(4)}, best linear (1 - r) v ${linearLoss(p, r).toExponential(4)}`);
  if (flags.png !== undefined) io.stdout(`  wrote ${flags.png} (top-left ${flags.block} x ${flags.block} block of A W and the bias column, with axes and colour bars${trained ? `; trained W from ${flags.trained} beside it` : ''})`);
  io.stdout(`  ${seconds.toFixed(2)} s`);
  return EXIT.ok;
}
