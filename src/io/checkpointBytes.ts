// A checkpoint's bytes for any host (no file system): one safetensors file with weights and Adam state (PyTorch
// names) and, in its metadata, the config, the step and the loss history (JSON keeps every f64 exactly).
import type { TrainCheckpoint } from '../api.js';
import { decodeSafetensors, encodeSafetensors, type Tensor } from './safetensors.js';
import { ConfigError } from '../train/config.js';
import { checkCheckpoint } from '../train/options.js';
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
 * safetensors checks (with the CRC-32 of the data), tensors missing or of the wrong shape, and then what
 * checkCheckpoint checks of any checkpoint (a valid config, the step equal to the number of losses, finite losses
 * and tensors).
 */
export function decodeCheckpoint(bytes: Uint8Array, name: string): TrainCheckpoint {
  return decodeCheckpointFile(bytes, name).checkpoint;
}

/** decodeCheckpoint with the run id of its metadata (undefined in files written before run ids). */
export function decodeCheckpointFile(bytes: Uint8Array, name: string): { checkpoint: TrainCheckpoint; runId: string | undefined } {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  if (metadata.format !== FORMAT) throw new Error(`${name}: not a persian-rug checkpoint (format ${JSON.stringify(metadata.format ?? null)}, expected ${FORMAT})`);
  let config: unknown, lossHistory: unknown;
  try {
    config = parseJson(metadata.config);
    lossHistory = parseJson(metadata.lossHistory);
  } catch {
    throw new Error(`${name}: the config or loss history in the metadata is not valid JSON; the file is corrupted`);
  }
  const tensor = (key: string): Tensor => {
    const t = tensors[key];
    if (!t) throw new Error(`${name}: tensor ${key} is missing`);
    return t;
  };
  // the shapes come from encoder.weight [m, n]; checkCheckpoint then holds them (and the data) to the stored config
  const [m, n] = tensor('encoder.weight').shape;
  const shapes: Record<string, number[]> = { 'encoder.weight': [m, n], 'decoder.weight': [n, m], 'decoder.bias': [n] };
  const get = (key: string): Float32Array => {
    const t = tensor(key), shape = shapes[key.replace(/^adam\.|\.(moment|velocity)$/g, '')];
    if (t.shape.join(',') !== shape.join(',')) throw new Error(`${name}: tensor ${key} has shape [${t.shape}], expected [${shape}] as encoder.weight is [${m}, ${n}]`);
    return t.data;
  };
  const moments = (key: string) => ({ moment: get(`adam.${key}.moment`), velocity: get(`adam.${key}.velocity`) });
  try {
    const checkpoint = checkCheckpoint({
      config, step: Number(metadata.step), lossHistory,
      weights: { nFeatures: n, nHidden: m, win: get('encoder.weight'), wout: get('decoder.weight'), bias: get('decoder.bias') },
      adam: { win: moments('encoder.weight'), wout: moments('decoder.weight'), bias: moments('decoder.bias') },
    }, 'checkpoint');
    return { runId: metadata.runId, checkpoint };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new Error(`${name}: ${error.message}; the file is corrupted`);
  }
}
