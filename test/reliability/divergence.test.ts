// Divergence: a NaN or Inf loss, or non-finite weights, stops training with stopReason 'diverged' and the step; the
// CLI keeps the last good checkpoint, writes run.json saying so and no weights, and exits 1 with one line.
// Faults are injected into a real trainer (its model's trainStep), since no valid config diverges on purpose.
import { describe, expect, test, vi } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Trainer, TrainCheckpoint } from '../../src/api.js';
import { readCheckpoint } from '../../src/io/checkpoint.js';
import * as trainerModule from '../../src/train/trainer.js';
import { listing, runMain } from './cli.js';

/** Fault to inject into the next trainers createTrainer makes: at this step, the loss or the weights go bad. */
let fault: { step: number; kind: 'loss' | 'weights' } | undefined;

interface ModelHandle { step: number; trainStep(): number; weights(): ReturnType<Trainer['weights']> extends Promise<infer W> ? W : never; adamState(): TrainCheckpoint['adam']; restore(step: number, w: unknown, a: unknown): void }

function inject(trainer: Trainer): Trainer {
  const f = fault;
  if (!f) return trainer;
  const model = (trainer as unknown as { model: ModelHandle }).model;
  const step = model.trainStep.bind(model);
  model.trainStep = () => {
    const loss = step();
    if (model.step !== f.step) return loss;
    if (f.kind === 'loss') return NaN;
    // Adam's update overflowed a weight, the loss of this step was still finite
    const w = model.weights();
    const win = w.win.slice(); win[1] = Infinity;
    model.restore(model.step, { ...w, win }, model.adamState());
    return loss;
  };
  return trainer;
}

vi.mock('../../src/train/trainer.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/train/trainer.js')>();
  return { ...original, createTrainer: async (...args: Parameters<typeof original.createTrainer>) => inject(await original.createTrainer(...args)) };
});

const SMALL = { nFeatures: 16, nHidden: 4, featureProbability: 0.1, batch: 32, evalSamples: 256, threads: 1, seed: 2 };

describe('the trainer stops on divergence', () => {
  test('a NaN loss at step 25: stopReason diverged, the step named, checkpoints only before it', async () => {
    fault = { step: 25, kind: 'loss' };
    const t = await trainerModule.createTrainer({ ...SMALL, steps: 40 });
    const saved: number[] = [];
    const r = await t.run({ checkpointEverySteps: 10, onCheckpoint: (c) => { saved.push(c.step); } });
    t.dispose();
    fault = undefined;
    expect(r.stopReason).toBe('diverged');
    expect(r.divergence).toBe('the loss became NaN at step 25');
    expect(r.steps).toBe(25);
    expect(saved).toEqual([10, 20]);
  });

  test('non-finite weights after a finite loss: caught at the next checkpoint, which is not written', async () => {
    fault = { step: 13, kind: 'weights' };
    const t = await trainerModule.createTrainer({ ...SMALL, lr: 1e-9, steps: 40 });
    const saved: number[] = [];
    const r = await t.run({ progressEverySteps: 5, checkpointEverySteps: 10, onCheckpoint: (c) => { saved.push(c.step); } });
    t.dispose();
    fault = undefined;
    expect(r.stopReason).toBe('diverged');
    // the Inf weight makes the next loss non-finite, or the checkpoint check sees it first
    expect(r.divergence).toMatch(/the loss became (NaN|Infinity) at step 14|the weights became non-finite \(encoder.weight\[\d+\] = Infinity\) by step 20/);
    expect(saved).toEqual([10]);
  });

  test("non-finite weights after the last step's update: the run is still marked diverged", async () => {
    fault = { step: 12, kind: 'weights' };
    const t = await trainerModule.createTrainer({ ...SMALL, steps: 12 });
    const r = await t.run();
    t.dispose();
    fault = undefined;
    expect(r.stopReason).toBe('diverged');
    expect(r.divergence).toMatch(/^the weights became non-finite \(encoder.weight\[\d+\] = Infinity\) by step 12$/);
  });
});

describe('persian-rug train on divergence', () => {
  const FLAGS = ['--n', '16', '--m', '4', '--p', '0.1', '--batch', '32', '--eval-samples', '256', '--threads', '1', '--seed', '2', '--steps', '40'];

  test('exit 1, one line; run.json says diverged with the text and the last good checkpoint; no weights; --resume of it finishes the run', async () => {
    const base = await mkdtemp(join(tmpdir(), 'pr-diverge-'));
    const dir = join(base, 'run');
    fault = { step: 25, kind: 'loss' };
    const r = await runMain(['train', ...FLAGS, '--checkpoint-every', '10', '--out', dir]);
    fault = undefined;
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^persian-rug train: training diverged: the loss became NaN at step 25; the last good checkpoint is .*checkpoint\.safetensors \(step 20\); .*run\.json records the divergence, no weights were written$/)]);
    expect(await listing(dir)).toEqual(['checkpoint.safetensors', 'run.json']);
    const record = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    expect(record.stopReason).toBe('diverged');
    expect(record.divergence).toBe('the loss became NaN at step 25');
    expect(record.lastGoodCheckpoint).toEqual({ path: join(dir, 'checkpoint.safetensors'), step: 20 });
    expect(record.lossHistory).toHaveLength(25);

    // the checkpoint is the uninterrupted run's state at step 20
    const kept = await readCheckpoint(join(dir, 'checkpoint.safetensors'));
    expect(kept.step).toBe(20);
    const whole = await runMain(['train', ...FLAGS, '--checkpoint-every', '20', '--out', join(base, 'whole')]);
    expect(whole.code).toBe(0);
    const reference = await trainerModule.createTrainer({ ...SMALL, steps: 40 });
    let at20: TrainCheckpoint | undefined;
    await reference.run({ checkpointEverySteps: 20, onCheckpoint: (c) => { at20 ??= c; }, shouldStop: () => at20 !== undefined });
    reference.dispose();
    expect(kept.weights).toEqual(at20!.weights);
    expect(kept.adam).toEqual(at20!.adam);

    // resuming the last good checkpoint (no fault now) ends where the uninterrupted run ends
    const resumed = await runMain(['train', '--resume', dir]);
    expect(resumed.code).toBe(0);
    expect(Buffer.compare(await readFile(join(dir, 'weights.safetensors')), await readFile(join(base, 'whole', 'weights.safetensors')))).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')).stopReason).toBe('steps');
  });

  test('without checkpoints: says none was written; a weights file left from before is removed', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'pr-diverge-')), 'run');
    expect((await runMain(['train', ...FLAGS, '--out', dir])).code).toBe(0);
    expect(await listing(dir)).toEqual(['run.json', 'weights.safetensors']);
    fault = { step: 3, kind: 'loss' };
    // over an existing run only with --force (which removes the old run's files first)
    expect((await runMain(['train', ...FLAGS, '--out', dir, '--json'])).err).toEqual([expect.stringMatching(/--out .*run: holds a run \(run.json, weights.safetensors\); add --force/)]);
    const r = await runMain(['train', ...FLAGS, '--out', dir, '--json', '--force']);
    fault = undefined;
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/training diverged: the loss became NaN at step 3; no checkpoint was written/)]);
    expect(JSON.parse(r.out[r.out.length - 1])).toMatchObject({ stopReason: 'diverged', divergence: 'the loss became NaN at step 3' });
    expect(await listing(dir)).toEqual(['run.json']);
    expect(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'))).toMatchObject({ stopReason: 'diverged', lastGoodCheckpoint: null });
  });
});
