// Run directories: run.json (config, seed, result, loss history) and weights.safetensors, written atomically.
import { mkdir, rename, writeFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelWeights, TrainResult } from '../api.js';
import { encodeSafetensors, decodeSafetensors } from './safetensors.js';
import { stringifyJson } from './json.js';

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

/**
 * Writes DIR/run.json ({ format, ...result, ...extra }) and DIR/weights.safetensors. Without weights (a run that
 * diverged: its weights are not a model) only run.json is written and a weights file left from before is removed,
 * so the directory never pairs a run record with weights of another run.
 */
export async function writeRun(dir: string, result: TrainResult, weights: ModelWeights | undefined, extra: Record<string, unknown> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const metadata = { format: 'persian-rug/1', config: stringifyJson(result.config) };
  if (weights) await writeFileAtomic(join(dir, WEIGHTS_FILE), encodeSafetensors(weightTensors(weights), metadata, { checksum: true }));
  else await rm(join(dir, WEIGHTS_FILE), { force: true });
  await writeFileAtomic(join(dir, RUN_RECORD_FILE), stringifyJson({ format: 'persian-rug/1', ...result, ...extra }, 1) + '\n');
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
  const { tensors } = decodeSafetensors(bytes, path);
  const enc = tensors['encoder.weight'], dec = tensors['decoder.weight'], bias = tensors['decoder.bias'];
  if (!enc || !dec || !bias) throw new Error(`${path}: needs tensors encoder.weight, decoder.weight and decoder.bias`);
  const [m, n] = enc.shape;
  if (enc.shape.length !== 2 || dec.shape.length !== 2 || bias.shape.length !== 1 || !(n >= 1 && m >= 1)
    || dec.shape[0] !== n || dec.shape[1] !== m || bias.shape[0] !== n) {
    throw new Error(`${path}: shapes encoder [${enc.shape}], decoder [${dec.shape}], bias [${bias.shape}] do not fit together (expected [m, n], [n, m], [n])`);
  }
  for (const [key, t] of [['encoder.weight', enc], ['decoder.weight', dec], ['decoder.bias', bias]] as const) {
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`${path}: tensor ${key}[${bad}] = ${t.data[bad]} is not finite; not a usable model`);
  }
  return { nFeatures: n, nHidden: m, win: enc.data, wout: dec.data, bias: bias.data };
}
