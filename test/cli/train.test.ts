// `persian-rug train`: --json shape, run directory contents, exit code 2 and nothing written on bad input.
import { describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { readCheckpoint, writeCheckpoint } from '../../src/io/checkpoint.js';
import { createTrainer } from '../../src/train/trainer.js';
import { resolveTrainConfig } from '../../src/train/config.js';
import { parseFlags } from '../../src/cli/flags.js';
import { TRAIN_FLAGS } from '../../src/cli/train.js';
import type { TrainCheckpoint } from '../../src/api.js';

function capture() {
  const out: string[] = [], err: string[] = [];
  return { out, err, io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) } };
}

describe('persian-rug train', () => {
  test('--json: the last stdout line is the result object', async () => {
    const c = capture();
    const code = await main(['train', '--n', '32', '--m', '8', '--p', '0.1', '--steps', '20', '--batch', '64', '--eval-samples', '1024', '--json'], c.io);
    expect(code).toBe(0);
    const result = JSON.parse(c.out[c.out.length - 1]);
    for (const key of ['config', 'steps', 'trainLoss', 'evalLoss', 'evalSamples', 'seconds', 'samplesPerSecond', 'backend']) expect(result).toHaveProperty(key);
    expect(result.config.nFeatures).toBe(32);
    expect(result.steps).toBe(20);
    expect(result.evalSamples).toBe(1024);
    expect(result.backend).toBe('wasm');
    expect(result.evalLoss).toBeGreaterThan(0);
    // node has shared memory; threads 0 (the default) means both gradient shards on their own core where there are two
    const { availableParallelism } = await import('node:os');
    expect(result.threads).toBe(Math.min(2, availableParallelism()));
    const text = capture();
    expect(await main(['train', '--n', '32', '--m', '8', '--p', '0.1', '--steps', '20', '--batch', '64', '--eval-samples', '1024'], text.io)).toBe(0);
    expect(text.out[0]).toMatch(new RegExp(`^trained .* on ${result.threads} threads?, `));
  });

  test('--out writes run.json and loadable weights in PyTorch layouts', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'pr-')), 'run');
    const c = capture();
    expect(await main(['train', '--n', '16', '--m', '4', '--steps', '5', '--batch', '32', '--eval-samples', '256', '--out', dir, '--backend', 'js'], c.io)).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['run.json', 'weights.safetensors']);
    const record = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    expect(record.config.seed).toBe(0);
    expect(record.lossHistory).toHaveLength(5);
    const { tensors } = decodeSafetensors(new Uint8Array(await readFile(join(dir, 'weights.safetensors'))));
    expect(tensors['encoder.weight'].shape).toEqual([4, 16]);
    expect(tensors['decoder.weight'].shape).toEqual([16, 4]);
    expect(tensors['decoder.bias'].shape).toEqual([16]);
  });

  test.each([
    [['--p', '2'], /featureProbability \(--p\) = 2 is not a number in \(0, 1\]/],
    [['--n', '-3'], /nFeatures \(--n\) = -3/],
    [['--frobnicate'], /unknown flag --frobnicate/],
    [['--steps', '10', '--epochs', '2'], /conflict/],
  ])('bad input %j: exit 2, one line, nothing written', async (flags, message) => {
    const dir = join(await mkdtemp(join(tmpdir(), 'pr-')), 'never');
    const c = capture();
    expect(await main(['train', ...flags, '--out', dir], c.io)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(message);
    expect(c.out).toHaveLength(0);
    await expect(readdir(dir)).rejects.toThrow();
  });

  test('--resume continues a checkpoint to the same weights as an uninterrupted run; the checkpoint is rewritten', async () => {
    const base = await mkdtemp(join(tmpdir(), 'pr-'));
    const flags = ['--n', '24', '--m', '6', '--steps', '30', '--batch', '32', '--eval-samples', '256', '--seed', '3'];
    const c = capture();
    expect(await main(['train', ...flags, '--out', join(base, 'whole'), '--checkpoint-every', '10'], c.io)).toBe(0);
    const trainer = await createTrainer(resolveTrainConfig(parseFlags(TRAIN_FLAGS, flags).trainConfig()));
    let saved: TrainCheckpoint | undefined;
    await trainer.run({ progressEverySteps: 5, checkpointEverySteps: 10, onCheckpoint: (k) => { saved ??= k; }, shouldStop: () => saved !== undefined });
    trainer.dispose();
    await mkdir(join(base, 'cut'));
    await writeCheckpoint(join(base, 'cut', 'checkpoint.safetensors'), saved!);
    expect(await main(['train', '--resume', join(base, 'cut'), '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out[c.out.length - 1]).steps).toBe(30);
    const whole = await readFile(join(base, 'whole', 'weights.safetensors'));
    const resumed = await readFile(join(base, 'cut', 'weights.safetensors'));
    expect(Buffer.compare(whole, resumed)).toBe(0);
    expect((await readCheckpoint(join(base, 'cut', 'checkpoint.safetensors'))).step).toBe(30);
    // --resume DIR --out OTHER (a folder that does not exist yet): the same weights, written into OTHER with the checkpoint
    await mkdir(join(base, 'cut2'));
    await writeCheckpoint(join(base, 'cut2', 'checkpoint.safetensors'), saved!);
    expect(await main(['train', '--resume', join(base, 'cut2'), '--out', join(base, 'elsewhere'), '--json'], c.io)).toBe(0);
    expect(Buffer.compare(whole, await readFile(join(base, 'elsewhere', 'weights.safetensors')))).toBe(0);
    expect((await readCheckpoint(join(base, 'elsewhere', 'checkpoint.safetensors'))).step).toBe(30);
    expect(await main(['train', '--resume', join(base, 'cut'), '--seed', '4'], c.io)).toBe(2);
    expect(c.err[c.err.length - 1]).toMatch(/--resume takes the run's config from its checkpoint; drop seed/);
    expect(await main(['train', '--resume', join(base, 'nothing')], c.io)).toBe(2);
    expect(c.err[c.err.length - 1]).toMatch(/nothing\/checkpoint.safetensors: cannot read the checkpoint \(ENOENT\)/);
  });

  test('--help and unknown commands', async () => {
    const c = capture();
    expect(await main(['train', '--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('--freeze-in');
    expect(await main(['nope'], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/unknown command "nope"/);
  });
});
