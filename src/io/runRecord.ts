// Run directories: run.json (config, seed, result, loss history) and weights.safetensors, written atomically.
import { mkdir, rename, writeFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelWeights, TrainResult } from '../api.js';
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
