// A run's two files in memory, for any host (no file system): the bytes `persian-rug train --out DIR` writes
// (run.json and weights.safetensors) and their readers. runRecord.ts writes and reads them on disk with these.
import type { ModelWeights, ResolvedTrainConfig, TrainResult } from '../api.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { resolveTrainConfig } from '../train/config.js';
import { parseJson, stringifyJson } from './json.js';

export const RUN_RECORD_FILE = 'run.json';
export const WEIGHTS_FILE = 'weights.safetensors';
/** The `format` field of run.json and of the weights' metadata. */
const RUN_FORMAT = 'persian-rug/1';

/** The weights under PyTorch's names: encoder.weight [m, n], decoder.weight [n, m], decoder.bias [n]. */
export function weightTensors(w: ModelWeights): Record<string, { shape: number[]; data: Float32Array }> {
  return {
    'encoder.weight': { shape: [w.nHidden, w.nFeatures], data: w.win },
    'decoder.weight': { shape: [w.nFeatures, w.nHidden], data: w.wout },
    'decoder.bias': { shape: [w.nFeatures], data: w.bias },
  };
}

/**
 * The run id written into run.json, the weights' and the checkpoint's metadata: 16 hex digits of FNV-1a (64-bit)
 * of the config (keys sorted, threads left out: it never changes results). Training is deterministic, so equal ids
 * mean the same run, resumed or not, on any thread count, and identical runs keep byte-identical files; with the
 * step count beside it (run.json's steps, the weights' `step`) it names one state of one run.
 */
export function runIdOf(config: ResolvedTrainConfig): string {
  const { threads: _threads, ...rest } = config;
  const text = stringifyJson(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1))));
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

/** The text of run.json: { format, runId, ...result, ...extra }, one field a line (non-finite numbers as in io/json.ts). */
export function encodeRunRecord(result: TrainResult, extra: Record<string, unknown> = {}): string {
  return stringifyJson({ format: RUN_FORMAT, runId: runIdOf(result.config), ...result, ...extra }, 1) + '\n';
}

/** The bytes of weights.safetensors (run id, step and config in the metadata, CRC-32 of the data). */
export function encodeWeights(result: Pick<TrainResult, 'config'> & Partial<Pick<TrainResult, 'steps'>>, weights: ModelWeights): Uint8Array {
  const metadata: Record<string, string> = { format: RUN_FORMAT, runId: runIdOf(result.config) };
  if (result.steps !== undefined) metadata.step = String(result.steps);
  metadata.config = stringifyJson(result.config);
  return encodeSafetensors(weightTensors(weights), metadata, { checksum: true });
}

/**
 * Throws unless run.json (its runId and steps) and the weights' metadata are of one state of one run. Files written
 * before run ids carry none: two such files pass; one with and one without an id do not.
 */
function checkRunPair(record: { runId?: unknown; steps?: unknown }, weights: Record<string, string>, names = { run: RUN_RECORD_FILE, weights: WEIGHTS_FILE }, where = 'the run'): void {
  const recordId = typeof record.runId === 'string' ? record.runId : undefined;
  const name = (id: string | undefined) => (id === undefined ? 'no run id (an older or another program\'s file)' : `run ${id}`);
  if (recordId !== weights.runId) {
    throw new Error(`${where} mixes two runs: ${names.run} is of ${name(recordId)}, ${names.weights} of ${name(weights.runId)}; a folder holds one run (train again with --force, or put the files of one run together)`);
  }
  if (weights.step !== undefined && record.steps !== undefined && String(record.steps) !== weights.step) {
    throw new Error(`${where} mixes two states of run ${recordId}: ${names.run} is at step ${String(record.steps)}, ${names.weights} at step ${weights.step}; a folder holds one state of one run (train again with --force)`);
  }
}

/**
 * Reads weights.safetensors bytes (`name` names the file in errors). Throws an error naming the file and what is wrong:
 * not safetensors, truncated, checksum mismatch, missing tensors, shapes that do not fit together, a value that is not
 * finite. Nothing is half-loaded.
 */
export function decodeWeights(bytes: Uint8Array, name = WEIGHTS_FILE): ModelWeights {
  return decodeWeightsFile(bytes, name).weights;
}

/** decodeWeights with the metadata (runId, step; absent in files written before run ids). */
export function decodeWeightsFile(bytes: Uint8Array, name = WEIGHTS_FILE): { weights: ModelWeights; metadata: Record<string, string>; runId: string | undefined } {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  const enc = tensors['encoder.weight'], dec = tensors['decoder.weight'], bias = tensors['decoder.bias'];
  if (!enc || !dec || !bias) throw new Error(`${name}: needs tensors encoder.weight, decoder.weight and decoder.bias`);
  const [m, n] = enc.shape;
  if (enc.shape.length !== 2 || dec.shape.length !== 2 || bias.shape.length !== 1 || !(n >= 1 && m >= 1)
    || dec.shape[0] !== n || dec.shape[1] !== m || bias.shape[0] !== n) {
    throw new Error(`${name}: shapes encoder [${enc.shape}], decoder [${dec.shape}], bias [${bias.shape}] do not fit together (expected [m, n], [n, m], [n])`);
  }
  for (const [key, t] of [['encoder.weight', enc], ['decoder.weight', dec], ['decoder.bias', bias]] as const) {
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`${name}: tensor ${key}[${bad}] = ${t.data[bad]} is not finite; not a usable model`);
  }
  return { weights: { nFeatures: n, nHidden: m, win: enc.data, wout: dec.data, bias: bias.data }, metadata, runId: metadata.runId };
}

/**
 * Reads the text of run.json (`name` names the file in errors): a JSON object with a valid config (checked by the
 * schema, ConfigError's message in the error) and a finite evalLoss. Fields missing from older records stay missing.
 */
export function decodeRunRecord(text: string, name = RUN_RECORD_FILE): TrainResult & { format: string } {
  let record: unknown;
  try {
    record = parseJson(text);
  } catch (error) {
    throw new Error(`${name}: not valid JSON (${(error as Error).message}); not a run record`);
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) throw new Error(`${name}: not a JSON object; not a run record`);
  const r = record as Record<string, unknown>;
  if (r.format !== RUN_FORMAT) throw new Error(`${name}: format ${JSON.stringify(r.format ?? null)}, expected ${RUN_FORMAT} (written by persian-rug train --out DIR)`);
  if (!r.config || typeof r.config !== 'object') throw new Error(`${name}: has no "config" object; not a persian-rug run record`);
  let config;
  try {
    config = resolveTrainConfig(r.config as Parameters<typeof resolveTrainConfig>[0]);
  } catch (error) {
    throw new Error(`${name}: config is not valid: ${(error as Error).message}`);
  }
  if (!(typeof r.evalLoss === 'number' && Number.isFinite(r.evalLoss) && r.evalLoss >= 0) && r.stopReason !== 'diverged') {
    throw new Error(`${name}: evalLoss = ${JSON.stringify(r.evalLoss)} is not a finite number >= 0`);
  }
  if (r.lossHistory !== undefined && !(Array.isArray(r.lossHistory) && r.lossHistory.every((x) => typeof x === 'number'))) {
    throw new Error(`${name}: lossHistory is not a list of numbers`);
  }
  return { ...(r as unknown as TrainResult & { format: string }), config };
}

/** Both files of a run as `persian-rug train --out DIR` writes them; without weights (a diverged run) only run.json. */
export function encodeRunFiles(result: TrainResult, weights: ModelWeights | undefined, extra: Record<string, unknown> = {}): { [RUN_RECORD_FILE]: string; [WEIGHTS_FILE]?: Uint8Array } {
  return { [RUN_RECORD_FILE]: encodeRunRecord(result, extra), ...(weights ? { [WEIGHTS_FILE]: encodeWeights(result, weights) } : {}) };
}

/** Reads a run's two files; the weights must have the record's n and m. */
export function decodeRunFiles(runJson: string, weightsBytes: Uint8Array, names = { run: RUN_RECORD_FILE, weights: WEIGHTS_FILE }): { result: TrainResult & { format: string }; weights: ModelWeights } {
  const result = decodeRunRecord(runJson, names.run);
  const { weights, metadata } = decodeWeightsFile(weightsBytes, names.weights);
  if (weights.nFeatures !== result.config.nFeatures || weights.nHidden !== result.config.nHidden) {
    throw new Error(`${names.weights}: weights have n = ${weights.nFeatures}, m = ${weights.nHidden}; ${names.run} says n = ${result.config.nFeatures}, m = ${result.config.nHidden}`);
  }
  checkRunPair(result as { runId?: unknown; steps?: unknown }, metadata, names, 'the pair');
  return { result, weights };
}
