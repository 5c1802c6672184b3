// Determinism as the CLI delivers it: the same seed gives byte-identical weight files across runs and processes;
// 1, 2 and 0 (= all) threads give bit-identical tensors, a checkpoint taken with 2 threads resumed with 1 the same bytes; wasm vs js
// start from identical weights and stay within BACKEND_LOSS_RELATIVE. (node vs browser: test/browser/page.mjs.)
import { describe, expect, test } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTrainer } from '../../src/train/trainer.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { BACKEND_LOSS_RELATIVE } from '../tolerance.js';
import { runCli, runMain } from './cli.js';

const FLAGS = ['train', '--n', '70', '--m', '13', '--p', '0.08', '--batch', '77', '--steps', '120', '--eval-samples', '512', '--seed', '11'];

async function weightsOf(argv: string[], inProcess = true): Promise<Buffer> {
  const dir = join(await mkdtemp(join(tmpdir(), 'pr-det-')), 'run');
  const r = inProcess ? await runMain([...argv, '--out', dir]) : await runCli([...argv, '--out', dir]);
  expect(r.code, JSON.stringify(r)).toBe(0);
  return readFile(join(dir, 'weights.safetensors'));
}

describe('determinism', () => {
  test('same seed: byte-identical weights.safetensors in this process and in a fresh one; another seed differs', async () => {
    const a = await weightsOf([...FLAGS, '--threads', '1']);
    const b = await weightsOf([...FLAGS, '--threads', '1']);
    const c = await weightsOf([...FLAGS, '--threads', '1'], false);
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, c)).toBe(0);
    const other = await weightsOf([...FLAGS.slice(0, -1), '12', '--threads', '1']);
    expect(Buffer.compare(a, other)).not.toBe(0);
  });

  test('threads 1, 2 and 0, tied or not: bit-identical tensors (the files differ only in the recorded threads)', async () => {
    const tensors = (bytes: Buffer) => decodeSafetensors(new Uint8Array(bytes)).tensors;
    for (const tied of [[], ['--tied']]) {
      const [one, two, all] = [await weightsOf([...FLAGS, ...tied, '--threads', '1']), await weightsOf([...FLAGS, ...tied, '--threads', '2']), await weightsOf([...FLAGS, ...tied, '--threads', '0'])];
      expect(tensors(two)).toEqual(tensors(one));
      expect(tensors(all)).toEqual(tensors(one));
    }
  });

  test('a checkpoint written with 2 threads, resumed with 1: the bytes of the uninterrupted run', async () => {
    const whole = await weightsOf([...FLAGS, '--threads', '1']);
    const dir = join(await mkdtemp(join(tmpdir(), 'pr-det-')), 'run');
    const trainer = await createTrainer({ nFeatures: 70, nHidden: 13, featureProbability: 0.08, batch: 77, steps: 120, evalSamples: 512, seed: 11, threads: 2 });
    const { writeCheckpoint } = await import('../../src/io/checkpoint.js');
    const { mkdir } = await import('node:fs/promises');
    let done = false;
    await trainer.run({ checkpointEverySteps: 50, onCheckpoint: async (c) => { await mkdir(dir, { recursive: true }); await writeCheckpoint(join(dir, 'checkpoint.safetensors'), c); done = true; }, shouldStop: () => done });
    trainer.dispose();
    expect((await runMain(['train', '--resume', dir, '--threads', '1'])).code).toBe(0);
    expect(Buffer.compare(await readFile(join(dir, 'weights.safetensors')), whole)).toBe(0);
  });

  test('wasm vs js: identical initial weights, losses within BACKEND_LOSS_RELATIVE', async () => {
    const config = { nFeatures: 70, nHidden: 13, featureProbability: 0.08, batch: 77, steps: 60, evalSamples: 512, seed: 11, threads: 1 };
    const [w, j] = [await createTrainer({ ...config, backend: 'wasm' }), await createTrainer({ ...config, backend: 'js' })];
    expect(await w.weights()).toEqual(await j.weights());
    const [rw, rj] = [await w.run(), await j.run()];
    rw.lossHistory.forEach((l, i) => expect(Math.abs(l - rj.lossHistory[i])).toBeLessThanOrEqual(BACKEND_LOSS_RELATIVE * rj.lossHistory[i]));
    expect(Math.abs(rw.evalLoss - rj.evalLoss)).toBeLessThanOrEqual(BACKEND_LOSS_RELATIVE * rj.evalLoss);
    w.dispose(); j.dispose();
  });
});
