// Run directories: run.json (config, seed, result, loss history) and weights.safetensors, written atomically, and
// their readers.
import { mkdir, rename, writeFile, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelWeights, TrainResult } from '../api.js';
import { parseJson } from './json.js';
import { ConfigError } from '../config/schema.js';
import { decodeWeights, encodeRunRecord, encodeWeights, RUN_RECORD_FILE, WEIGHTS_FILE } from './runFiles.js';

export { RUN_RECORD_FILE, WEIGHTS_FILE, weightTensors } from './runFiles.js';

/** Writes to a temp file in the same directory, then renames: readers see the old file or the whole new one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/**
 * Writes DIR/run.json ({ format, ...result, ...extra }) and DIR/weights.safetensors. Without weights (a run that
 * diverged: its weights are not a model) only run.json is written and a weights file left from before is removed,
 * so the directory never pairs a run record with weights of another run.
 */
export async function writeRun(dir: string, result: TrainResult, weights: ModelWeights | undefined, extra: Record<string, unknown> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (weights) await writeFileAtomic(join(dir, WEIGHTS_FILE), encodeWeights(result, weights));
  else await rm(join(dir, WEIGHTS_FILE), { force: true });
  await writeFileAtomic(join(dir, RUN_RECORD_FILE), encodeRunRecord(result, extra));
}

/** The bytes of `path`, or an error "PATH: cannot read WHAT (ENOENT)" (made by makeError) naming why not. */
export async function readNamedFile(path: string, what: string, makeError: (message: string) => Error = (m) => new Error(m)): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw makeError(`${path}: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Reads weights written by writeRun (PyTorch names: encoder.weight [m, n], decoder.weight [n, m], decoder.bias [n]).
 * Throws an error naming the file and what is wrong: unreadable, not safetensors, truncated, checksum mismatch,
 * missing tensors, shapes that do not fit together, or a value that is not finite. Nothing is half-loaded.
 */
export async function readWeights(path: string): Promise<ModelWeights> {
  const bytes = await readNamedFile(path, 'the weights');
  return decodeWeights(bytes, path);
}

/** What the readers of a run directory (measure, plot) need from its run.json. */
export interface RunSummary {
  nFeatures: number;
  nHidden: number;
  /** the one p of the theory: the config's, or the mean of per-feature values */
  p: number;
  perFeatureP: boolean;
  evalLoss: number;
  steps: number | null;
  activation: string;
  bias: boolean;
  uniformImportance: boolean;
  tied: boolean;
  /** Loss of every step (empty when run.json has none). */
  lossHistory: number[];
  batch?: number;
  seed?: number;
}

/**
 * DIR/run.json as a RunSummary; ConfigError naming the file and the field when it is missing, unreadable, not a
 * run record or out of range.
 */
export async function readRunSummary(dir: string): Promise<RunSummary> {
  const file = join(dir, RUN_RECORD_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: missing or unreadable (RUN_DIR must be written by persian-rug train --out DIR)`);
  }
  let record: unknown;
  try {
    record = parseJson(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message}); corrupted?`);
  }
  const config = (record as { config?: Record<string, unknown> } | null)?.config;
  if (!config || typeof config !== 'object') throw new ConfigError(`${file}: has no "config" object; not a persian-rug run record`);
  const n = config.nFeatures, m = config.nHidden;
  if (!(Number.isInteger(n) && (n as number) >= 2)) throw new ConfigError(`${file}: config.nFeatures = ${JSON.stringify(n)} is not an integer >= 2`);
  if (!(Number.isInteger(m) && (m as number) >= 1 && (m as number) <= (n as number))) {
    throw new ConfigError(`${file}: config.nHidden = ${JSON.stringify(m)} is not an integer in [1, ${n}]`);
  }
  const rawP = config.featureProbability;
  const ps = Array.isArray(rawP) ? rawP : [rawP];
  if (ps.length === 0 || !ps.every((x) => typeof x === 'number' && x > 0 && x <= 1)) {
    throw new ConfigError(`${file}: config.featureProbability = ${JSON.stringify(rawP).slice(0, 80)} is not a number (or list of numbers) in (0, 1]`);
  }
  const p = (ps as number[]).reduce((a, b) => a + b, 0) / ps.length;
  const evalLoss = (record as { evalLoss?: unknown }).evalLoss;
  if (!(typeof evalLoss === 'number' && Number.isFinite(evalLoss) && evalLoss >= 0)) {
    throw new ConfigError(`${file}: evalLoss = ${JSON.stringify(evalLoss)} is not a finite number >= 0`);
  }
  const steps = (record as { steps?: unknown }).steps;
  const history = (record as { lossHistory?: unknown }).lossHistory;
  const importance = config.importance;
  return {
    nFeatures: n as number, nHidden: m as number, p, evalLoss,
    perFeatureP: (ps as number[]).some((x) => x !== ps[0]),
    steps: typeof steps === 'number' ? steps : null,
    activation: typeof config.activation === 'string' ? config.activation : 'relu',
    bias: config.bias !== false,
    uniformImportance: !Array.isArray(importance) || importance.every((x) => x === importance[0]),
    tied: config.tied === true,
    lossHistory: Array.isArray(history) ? history.map((x) => (typeof x === 'number' ? x : NaN)) : [],
    batch: typeof config.batch === 'number' ? config.batch : undefined,
    seed: typeof config.seed === 'number' ? config.seed : undefined,
  };
}

/** DIR/weights.safetensors, checked against the run's n and m; ConfigError naming the file otherwise. */
export async function readRunWeights(dir: string, run: RunSummary): Promise<ModelWeights> {
  const file = join(dir, WEIGHTS_FILE);
  try {
    await stat(file);
  } catch {
    throw new ConfigError(`${file}: missing (RUN_DIR must be written by persian-rug train --out DIR)`);
  }
  let weights: ModelWeights;
  try {
    weights = await readWeights(file);
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigError(message.startsWith(file) ? message : `${file}: ${message}`);
  }
  if (weights.nFeatures !== run.nFeatures || weights.nHidden !== run.nHidden) {
    throw new ConfigError(`${file}: weights have n = ${weights.nFeatures}, m = ${weights.nHidden}; ${join(dir, RUN_RECORD_FILE)} says n = ${run.nFeatures}, m = ${run.nHidden}`);
  }
  return weights;
}
