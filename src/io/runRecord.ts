// Run directories: run.json (config, seed, result, loss history) and weights.safetensors, written atomically, and
// their readers.
import { rename, writeFile, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelWeights, TrainResult } from '../api.js';
import { decodeSafetensors } from './safetensors.js';
import { makeDirectory } from './outputPath.js';
import { parseJson } from './json.js';
import { ConfigError } from '../config/schema.js';
import { decodeWeightsFile, encodeRunRecord, encodeWeights, RUN_RECORD_FILE, WEIGHTS_FILE } from './runFiles.js';

export { runIdOf } from './runFiles.js';

export { RUN_RECORD_FILE, WEIGHTS_FILE, weightTensors } from './runFiles.js';

/** A write that failed: the message names the file and the reason (ENOSPC: "the disk is full"). */
export class FileWriteError extends Error {
  constructor(readonly path: string, readonly code: string) {
    super(`cannot write ${path}: ${describeWriteError(code)}`);
    this.name = 'FileWriteError';
  }
}

export function describeWriteError(code: string): string {
  const known: Record<string, string> = {
    ENOSPC: 'the disk is full (ENOSPC)', EDQUOT: 'the disk quota is exhausted (EDQUOT)', EROFS: 'the file system is read-only (EROFS)',
    EACCES: 'permission denied (EACCES)', EPERM: 'not permitted (EPERM)', EISDIR: 'a folder is in the way (EISDIR)',
    ENOTDIR: 'a part of the path is a file, not a folder (ENOTDIR)', ENOENT: 'its folder does not exist (ENOENT)', EIO: 'an I/O error (EIO)',
  };
  return known[code] ?? code;
}

/**
 * Writes to a temp file in the same directory (PATH.tmp-PID-TIME), then renames: readers see the old file or the
 * whole new one. On any failure the temp file is removed and a FileWriteError names `path`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new FileWriteError(path, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

/**
 * Writes DIR/run.json ({ format, runId, ...result, ...extra }) and DIR/weights.safetensors (runId in its metadata).
 * Without weights (a run that diverged: its weights are not a model) only run.json is written and a weights file
 * left from before is removed. A kill between the two renames can leave the new weights beside the old run.json:
 * their run ids then differ and every reader refuses the pair (checkRunDirectory).
 */
export async function writeRun(dir: string, result: TrainResult, weights: ModelWeights | undefined, extra: Record<string, unknown> = {}): Promise<void> {
  await makeDirectory(dir);
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
  return (await readWeightsFile(path)).weights;
}

/** readWeights with the run id of the weights' metadata (undefined in files written before run ids). */
export async function readWeightsFile(path: string): Promise<{ weights: ModelWeights; runId: string | undefined }> {
  const bytes = await readNamedFile(path, 'the weights');
  const { weights, runId } = decodeWeightsFile(bytes, path);
  return { weights, runId };
}

/**
 * Throws an Error naming the files unless the run files in `dir` (run.json, weights.safetensors,
 * checkpoint.safetensors, those that exist and can be read) carry one run id, and run.json's steps are the
 * weights' step: a folder is one state of one run. Files written before run ids carry none; a folder of only such
 * files passes. Damage in a file is left to its own reader (with recordMustParse, a damaged run.json is refused here).
 */
export async function checkRunDirectory(dir: string, options: { recordMustParse?: boolean } = {}): Promise<void> {
  const ids: Array<[string, string | undefined]> = [];
  const text = await readFile(join(dir, RUN_RECORD_FILE), 'utf8').catch(() => undefined);
  let record: unknown;
  try {
    record = text === undefined ? undefined : parseJson(text);
  } catch (error) {
    // readers that use only the weights still refuse a folder whose record is damaged: the unit cannot be checked
    if (options.recordMustParse) throw new Error(`${join(dir, RUN_RECORD_FILE)}: not valid JSON (${(error as Error).message.replace(/\s+/g, ' ').slice(0, 80)}); the run folder is damaged`);
  }
  let recordSteps: unknown;
  let weightsStep: string | undefined;
  if (record !== undefined && record !== null && typeof record === 'object') {
    const id = (record as { runId?: unknown }).runId;
    recordSteps = (record as { steps?: unknown }).steps;
    ids.push([RUN_RECORD_FILE, typeof id === 'string' ? id : undefined]);
  }
  for (const file of [WEIGHTS_FILE, 'checkpoint.safetensors']) {
    const bytes = await readFile(join(dir, file)).catch(() => undefined);
    if (!bytes) continue;
    try {
      const { metadata } = decodeSafetensors(new Uint8Array(bytes), file);
      ids.push([file, metadata.runId]);
      if (file === WEIGHTS_FILE) weightsStep = metadata.step;
    } catch {
      // damaged: its reader says so
    }
  }
  const [firstFile, firstId] = ids[0] ?? [];
  const other = ids.find(([, id]) => id !== firstId);
  if (other) {
    const name = (id: string | undefined) => (id === undefined ? 'no run id (an older or another program\'s file)' : `run ${id}`);
    throw new Error(`${dir} mixes two runs: ${firstFile} is of ${name(firstId)}, ${other[0]} of ${name(other[1])}; a folder holds one run (train again with --force, or put the files of one run together)`);
  }
  if (weightsStep !== undefined && recordSteps !== undefined && String(recordSteps) !== weightsStep) {
    throw new Error(`${dir} mixes two states of run ${firstId}: ${RUN_RECORD_FILE} is at step ${String(recordSteps)}, ${WEIGHTS_FILE} at step ${weightsStep}; a folder holds one state of one run (train again with --force)`);
  }
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
  await checkRunDirectory(dir).catch((error: Error) => { throw new ConfigError(error.message); });
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
