// A run folder is one unit: run.json, weights.safetensors and checkpoint.safetensors carry one run id, and every
// reader (measure, rug --trained, train --resume) refuses a folder that mixes two runs; our own files without their
// checksum are refused.
import { beforeAll, describe, expect, test } from 'vitest';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, CHECKSUM_KEY } from '../../src/io/safetensors.js';
import { readWeights, readWeightsFile } from '../../src/io/runRecord.js';
import { readCheckpointFile } from '../../src/io/checkpoint.js';
import { parseJson } from '../../src/io/json.js';
import { expectRefused as refused, runMain } from './cli.js';

let base: string;
const TRAIN = ['train', '--n', '16', '--m', '4', '--steps', '30', '--batch', '32', '--eval-samples', '256', '--threads', '1', '--checkpoint-every', '10'];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'pr-run-unit-'));
  for (const [name, seed] of [['a', '1'], ['b', '2']]) expect((await runMain([...TRAIN, '--seed', seed, '--out', join(base, name)])).code).toBe(0);
});

const runIdOf = async (dir: string) => (parseJson(await readFile(join(dir, 'run.json'), 'utf8')) as { runId: string }).runId;

test('one run id in run.json, the weights and the checkpoint; two runs have different ids', async () => {
  const a = await runIdOf(join(base, 'a'));
  expect(a).toMatch(/^[0-9a-f]{16}$/);
  expect((await readWeightsFile(join(base, 'a', 'weights.safetensors'))).runId).toBe(a);
  expect((await readCheckpointFile(join(base, 'a', 'checkpoint.safetensors'))).runId).toBe(a);
  expect(await runIdOf(join(base, 'b'))).not.toBe(a);
});

test('the same state of the same run, but weights of another step: refused', async () => {
  const dir = join(base, 'steps');
  await runMain([...TRAIN, '--seed', '1', '--out', dir]);
  const shorter = join(base, 'shorter');
  await runMain([...TRAIN.map((x) => (x === '30' ? '20' : x)), '--seed', '1', '--out', shorter]);
  // a different step count is a different config, so a different run id: the id alone tells them apart
  const record = parseJson(await readFile(join(dir, 'run.json'), 'utf8')) as { steps: number };
  expect(record.steps).toBe(30);
  await copyFile(join(shorter, 'weights.safetensors'), join(dir, 'weights.safetensors'));
  const r = await runMain(['measure', dir]);
  expect(r.code).toBe(2);
  expect(r.err[0]).toMatch(/mixes two runs/);
});

test('train --resume keeps the run id', async () => {
  const a = await runIdOf(join(base, 'a'));
  const resumed = await runMain(['train', '--resume', join(base, 'a'), '--steps', '40'].filter((x) => x !== '--steps' && x !== '40'));
  expect(resumed.code).toBe(0);
  expect(await runIdOf(join(base, 'a'))).toBe(a);
});

describe('a folder that mixes two runs is refused by every reader, nothing written', () => {
  async function mixed(name: string, file: string): Promise<string> {
    const dir = join(base, name);
    await runMain([...TRAIN, '--seed', '1', '--out', dir]);
    await copyFile(join(base, 'b', file), join(dir, file));
    return dir;
  }
  test('weights of another run (a kill between the two renames): measure and rug --trained', async () => {
    const dir = await mixed('mixed-weights', 'weights.safetensors');
    await refused(['measure', dir], dir, /mixes two runs: run.json is of run [0-9a-f]+, weights.safetensors of run [0-9a-f]+/);
    await refused(['rug', '--n', '16', '--m', '4', '--p', '0.1', '--png', join(base, 'never.png'), '--trained', dir], base, /mixes two runs/);
  });
  test('a checkpoint of another run: train --resume', async () => {
    const dir = await mixed('mixed-checkpoint', 'checkpoint.safetensors');
    const bytes = await readFile(join(dir, 'checkpoint.safetensors'));
    await refused(['train', '--resume', dir], dir, /mixes two runs: run.json is of run .*, checkpoint.safetensors of run/);
    expect(Buffer.compare(await readFile(join(dir, 'checkpoint.safetensors')), bytes)).toBe(0);
  });
  test('run.json without a run id beside weights with one', async () => {
    const dir = await mixed('no-id', 'run.json');
    const record = parseJson(await readFile(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
    delete record.runId;
    await writeFile(join(dir, 'run.json'), JSON.stringify(record));
    await refused(['measure', dir], dir, /run.json is of no run id .*weights.safetensors of run/);
  });
});

test('our own safetensors without their checksum (dataCrc32 removed) are refused, naming the file', async () => {
  const path = join(base, 'a', 'weights.safetensors');
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(await readFile(path)), path);
  const { [CHECKSUM_KEY]: _removed, ...rest } = metadata;
  const stripped = join(base, 'stripped.safetensors');
  await writeFile(stripped, encodeSafetensors(tensors, rest));
  await expect(readWeights(stripped)).rejects.toThrow(/stripped.safetensors: has no dataCrc32 checksum, which every persian-rug\/1 file carries/);
  // a file of another program (no persian-rug format) still loads: the check is for our own files
  const foreign = join(base, 'foreign.safetensors');
  await writeFile(foreign, encodeSafetensors(tensors, {}));
  expect((await readWeights(foreign)).nFeatures).toBe(16);
});
