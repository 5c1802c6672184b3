// Run directories: run.json (config, seed, result, loss history) and weights.safetensors, written atomically.
import { mkdir, rename, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelWeights, TrainResult } from '../api.js';
import { encodeSafetensors, decodeSafetensors } from './safetensors.js';

export const RUN_RECORD_FILE = 'run.json';
export const WEIGHTS_FILE = 'weights.safetensors';

/** Writes to a temp file in the same directory, then renames: readers see the old file or the whole new one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

export function weightTensors(w: ModelWeights): Record<string, { shape: number[]; data: Float32Array }> {
  return {
    'encoder.weight': { shape: [w.nHidden, w.nFeatures], data: w.win },
    'decoder.weight': { shape: [w.nFeatures, w.nHidden], data: w.wout },
    'decoder.bias': { shape: [w.nFeatures], data: w.bias },
  };
}

export async function writeRun(dir: string, result: TrainResult, weights: ModelWeights): Promise<void> {
  await mkdir(dir, { recursive: true });
  const metadata = { format: 'persian-rug/1', config: JSON.stringify(result.config) };
  await writeFileAtomic(join(dir, WEIGHTS_FILE), encodeSafetensors(weightTensors(weights), metadata));
  await writeFileAtomic(join(dir, RUN_RECORD_FILE), JSON.stringify({ format: 'persian-rug/1', ...result }, null, 1) + '\n');
}

/** Reads weights written by writeRun (PyTorch names: encoder.weight [m, n], decoder.weight [n, m], decoder.bias [n]). */
export async function readWeights(path: string): Promise<ModelWeights> {
  const { tensors } = decodeSafetensors(new Uint8Array(await readFile(path)), path);
  const enc = tensors['encoder.weight'], dec = tensors['decoder.weight'], bias = tensors['decoder.bias'];
  if (!enc || !dec || !bias) throw new Error(`${path}: needs tensors encoder.weight, decoder.weight and decoder.bias`);
  const [m, n] = enc.shape;
  if (dec.shape[0] !== n || dec.shape[1] !== m || bias.shape[0] !== n) {
    throw new Error(`${path}: shapes encoder [${enc.shape}], decoder [${dec.shape}], bias [${bias.shape}] do not fit together`);
  }
  return { nFeatures: n, nHidden: m, win: enc.data, wout: dec.data, bias: bias.data };
}
