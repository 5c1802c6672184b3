// A run's two files in memory, for any host (no file system): the bytes `persian-rug train --out DIR` writes
// (run.json and weights.safetensors) and their readers. runRecord.ts writes and reads them on disk with these.
import type { ModelWeights, TrainResult } from '../api.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { resolveTrainConfig } from '../train/config.js';
import { parseJson, stringifyJson } from './json.js';

export const RUN_RECORD_FILE = 'run.json';
export const WEIGHTS_FILE = 'weights.safetensors';
/** The `format` field of run.json and of the weights' metadata. */
export const RUN_FORMAT = 'persian-rug/1';

/** The weights under PyTorch's names: encoder.weight [m, n], decoder.weight [n, m], decoder.bias [n]. */
export function weightTensors(w: ModelWeights): Record<string, { shape: number[]; data: Float32Array }> {
  return {
    'encoder.weight': { shape: [w.nHidden, w.nFeatures], data: w.win },
    'decoder.weight': { shape: [w.nFeatures, w.nHidden], data: w.wout },
    'decoder.bias': { shape: [w.nFeatures], data: w.bias },
  };
}

/** The text of run.json: { format, ...result, ...extra }, one field a line (non-finite numbers as in io/json.ts). */
export function encodeRunRecord(result: TrainResult, extra: Record<string, unknown> = {}): string {
  return stringifyJson({ format: RUN_FORMAT, ...result, ...extra }, 1) + '\n';
}

/** The bytes of weights.safetensors (config in the metadata, CRC-32 of the data). */
export function encodeWeights(result: Pick<TrainResult, 'config'>, weights: ModelWeights): Uint8Array {
  return encodeSafetensors(weightTensors(weights), { format: RUN_FORMAT, config: stringifyJson(result.config) }, { checksum: true });
}

/**
 * Reads weights.safetensors bytes (`name` names the file in errors). Throws an error naming the file and what is wrong:
 * not safetensors, truncated, checksum mismatch, missing tensors, shapes that do not fit together, a value that is not
 * finite. Nothing is half-loaded.
 */
export function decodeWeights(bytes: Uint8Array, name = WEIGHTS_FILE): ModelWeights {
  const { tensors } = decodeSafetensors(bytes, name);
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
  return { nFeatures: n, nHidden: m, win: enc.data, wout: dec.data, bias: bias.data };
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
  const weights = decodeWeights(weightsBytes, names.weights);
  if (weights.nFeatures !== result.config.nFeatures || weights.nHidden !== result.config.nHidden) {
    throw new Error(`${names.weights}: weights have n = ${weights.nFeatures}, m = ${weights.nHidden}; ${names.run} says n = ${result.config.nFeatures}, m = ${result.config.nHidden}`);
  }
  return { result, weights };
}
