// A checkpoint's bytes for any host (no file system): one safetensors file with weights and Adam state (PyTorch
// names) and, in its metadata, the config, the step and the loss history (JSON keeps every f64 exactly).
import type { ResolvedTrainConfig, TrainCheckpoint } from '../api.js';
import { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.js';
import { resolveTrainConfig } from '../train/config.js';
import { parseJson, stringifyJson } from './json.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
const FORMAT = 'persian-rug-checkpoint/1';

/** A checkpoint's bytes; `runId` (see runRecord.ts) goes into the metadata so the run folder can be checked as one. */
export function encodeCheckpoint(c: TrainCheckpoint, runId?: string): Uint8Array {
  const { nFeatures: n, nHidden: m } = c.weights;
  const win = (data: Float32Array): Tensor => ({ shape: [m, n], data });
  const wout = (data: Float32Array): Tensor => ({ shape: [n, m], data });
  const bias = (data: Float32Array): Tensor => ({ shape: [n], data });
  return encodeSafetensors({
    'encoder.weight': win(c.weights.win), 'decoder.weight': wout(c.weights.wout), 'decoder.bias': bias(c.weights.bias),
    'adam.encoder.weight.moment': win(c.adam.win.moment), 'adam.encoder.weight.velocity': win(c.adam.win.velocity),
    'adam.decoder.weight.moment': wout(c.adam.wout.moment), 'adam.decoder.weight.velocity': wout(c.adam.wout.velocity),
    'adam.decoder.bias.moment': bias(c.adam.bias.moment), 'adam.decoder.bias.velocity': bias(c.adam.bias.velocity),
  }, { format: FORMAT, ...(runId !== undefined ? { runId } : {}), config: stringifyJson(c.config), step: String(c.step), lossHistory: stringifyJson(c.lossHistory) }, { checksum: true });
}

/**
 * Parses a checkpoint; any missing piece or inconsistency is an error naming the file and what is wrong: the
 * safetensors checks (with the CRC-32 of the data), a config that is not a valid TrainConfig, a step that does not
 * match the loss history, losses or weights that are not finite, tensors missing or of the wrong shape.
 */
export function decodeCheckpoint(bytes: Uint8Array, name: string): TrainCheckpoint {
  return decodeCheckpointFile(bytes, name).checkpoint;
}

/** decodeCheckpoint with the run id of its metadata (undefined in files written before run ids). */
export function decodeCheckpointFile(bytes: Uint8Array, name: string): { checkpoint: TrainCheckpoint; runId: string | undefined } {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (metadata.format !== FORMAT) throw new Error(`${name}: not a persian-rug checkpoint (format ${JSON.stringify(metadata.format ?? null)}, expected ${FORMAT})`);
  let rawConfig: unknown, lossHistory: unknown;
  try {
    rawConfig = parseJson(metadata.config);
    lossHistory = parseJson(metadata.lossHistory);
  } catch {
    throw new Error(`${name}: the config or loss history in the metadata is not valid JSON; the file is corrupted`);
  }
  let config: ResolvedTrainConfig;
  try {
    config = resolveTrainConfig(rawConfig as ResolvedTrainConfig);
  } catch (error) {
    throw new Error(`${name}: the stored config is not valid (${(error as Error).message}); the file is corrupted`);
  }
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0 || !Array.isArray(lossHistory) || lossHistory.length !== step) {
    throw new Error(`${name}: step ${metadata.step} does not match the ${Array.isArray(lossHistory) ? lossHistory.length : 0} stored losses; the file is corrupted`);
  }
  const badLoss = lossHistory.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (badLoss >= 0) throw new Error(`${name}: stored loss ${badLoss + 1} is ${JSON.stringify(lossHistory[badLoss])}, not a finite number; the file is corrupted`);
  const n = config.nFeatures, m = config.nHidden;
  const get = (key: string, shape: number[]): Float32Array => {
    const t = tensors[key];
    if (!t) throw new Error(`${name}: tensor ${key} is missing`);
    if (t.shape.join(',') !== shape.join(',')) throw new Error(`${name}: tensor ${key} has shape [${t.shape}], expected [${shape}] for n = ${n}, m = ${m}`);
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`${name}: tensor ${key}[${bad}] = ${t.data[bad]} is not finite; a checkpoint holds only finite values`);
    return t.data;
  };
  return { runId: metadata.runId, checkpoint: {
    config, step, lossHistory: lossHistory as number[],
    weights: { nFeatures: n, nHidden: m, win: get('encoder.weight', [m, n]), wout: get('decoder.weight', [n, m]), bias: get('decoder.bias', [n]) },
    adam: {
      win: { moment: get('adam.encoder.weight.moment', [m, n]), velocity: get('adam.encoder.weight.velocity', [m, n]) },
      wout: { moment: get('adam.decoder.weight.moment', [n, m]), velocity: get('adam.decoder.weight.velocity', [n, m]) },
      bias: { moment: get('adam.decoder.bias.moment', [n]), velocity: get('adam.decoder.bias.velocity', [n]) },
    },
  } };
}

