// Training runs: loss falls below the best constant, backends agree, options do what they say, the stop rule.
import { describe, expect, test } from 'vitest';
import { createTrainer } from '../../src/train/trainer.js';
import type { TrainCheckpoint } from '../../src/api.js';
import { shouldStopTraining } from '../../src/train/stopRule.js';
import { BACKEND_LOSS_RELATIVE } from '../tolerance.js';

const small = { nFeatures: 64, nHidden: 16, featureProbability: 0.05, batch: 256, seed: 7, evalSamples: 8192, threads: 1 } as const;

describe('trainer', () => {
  test('a short run ends far below the best constant p/3 - p^2/4', async () => {
    const t = await createTrainer({ ...small, steps: 600, lr: 3e-3 });
    const r = await t.run();
    const p = 0.05, bestConstant = p / 3 - p * p / 4;
    expect(r.steps).toBe(600);
    expect(r.stopReason).toBe('steps');
    expect(r.evalLoss).toBeLessThan(0.8 * bestConstant);
    expect(r.lossHistory[599]).toBeLessThan(r.lossHistory[0]);
    expect(r.perFeatureLoss).toHaveLength(64);
    const meanPerFeature = r.perFeatureLoss.reduce((a, b) => a + b, 0) / 64;
    expect(meanPerFeature).toBeCloseTo(r.evalLoss, 8); // importance 1: the eval loss is the mean per-feature loss
  });

  test('wasm and js backends: identical init, same losses within f32 rounding', async () => {
    const [w, j] = await Promise.all([createTrainer({ ...small, steps: 150, backend: 'wasm' }), createTrainer({ ...small, steps: 150, backend: 'js' })]);
    const [w0, j0] = [await w.weights(), await j.weights()];
    expect(w0.win).toEqual(j0.win);
    expect(w0.wout).toEqual(j0.wout);
    expect(w0.bias).toEqual(j0.bias);
    const [rw, rj] = [await w.run(), await j.run()];
    rw.lossHistory.forEach((l, i) => expect(Math.abs(l - rj.lossHistory[i])).toBeLessThanOrEqual(BACKEND_LOSS_RELATIVE * rj.lossHistory[i]));
    expect(Math.abs(rw.evalLoss - rj.evalLoss)).toBeLessThanOrEqual(BACKEND_LOSS_RELATIVE * rj.evalLoss);
  });

  test('same seed gives identical weights; another seed does not', async () => {
    const runs = await Promise.all([7, 7, 8].map(async (seed) => {
      const t = await createTrainer({ ...small, seed, steps: 40 });
      const r = await t.run();
      return { r, w: await t.weights() };
    }));
    expect(runs[0].w.win).toEqual(runs[1].w.win);
    expect(runs[0].r.lossHistory).toEqual(runs[1].r.lossHistory);
    expect(runs[0].w.win).not.toEqual(runs[2].w.win);
  });

  test('two threads give the same run as one, bit for bit (gradient shards are summed in a fixed order)', async () => {
    const runs = [];
    for (const threads of [1, 2]) {
      for (const tied of [false, true]) {
        const t = await createTrainer({ ...small, nFeatures: 70, batch: 77, steps: 25, threads, tied });
        const r = await t.run();
        runs.push({ threads, tied, r, w: await t.weights() });
        t.dispose();
      }
    }
    for (const tied of [false, true]) {
      const [one, two] = runs.filter((x) => x.tied === tied);
      expect(two.r.lossHistory).toEqual(one.r.lossHistory);
      expect(two.w.win).toEqual(one.w.win);
      expect(two.w.wout).toEqual(one.w.wout);
      expect(two.w.bias).toEqual(one.w.bias);
      expect(two.r.evalLoss).toBe(one.r.evalLoss);
    }
  });

  test('a run resumed from a checkpoint ends bit-identical to the uninterrupted run', async () => {
    for (const extra of [{}, { tied: true }, { epochs: 30, samplesPerEpoch: 2560 }] as const) {
      const config = { ...small, steps: extra && 'epochs' in extra ? undefined : 60, ...extra };
      const whole = await createTrainer(config);
      const wholeResult = await whole.run();
      const wholeWeights = await whole.weights();
      const first = await createTrainer(config);
      let saved: TrainCheckpoint | undefined;
      const partial = await first.run({ progressEverySteps: 10, checkpointEverySteps: 25, onCheckpoint: (c) => { saved ??= c; }, shouldStop: () => saved !== undefined });
      expect(partial.stopReason).toBe('cancelled');
      expect(saved!.step).toBe(25);
      const resumed = await createTrainer(config, { resume: structuredClone(saved!) });
      const result = await resumed.run();
      expect(result.lossHistory).toEqual(wholeResult.lossHistory);
      expect(result.stopReason).toBe(wholeResult.stopReason);
      const w = await resumed.weights();
      expect(w.win).toEqual(wholeWeights.win);
      expect(w.wout).toEqual(wholeWeights.wout);
      expect(w.bias).toEqual(wholeWeights.bias);
    }
  });

  test('a checkpoint of another run is refused, naming what differs', async () => {
    const t = await createTrainer({ ...small, steps: 3 });
    await t.run();
    const c = await t.checkpoint();
    await expect(createTrainer({ ...small, steps: 3, seed: 8 }, { resume: c })).rejects.toThrow(/seed is 7 there, 8 here/);
  });

  test('non-finite loss stops training with reason diverged', async () => {
    const t = await createTrainer({ ...small, steps: 50 });
    const w = await t.weights();
    const huge = await createTrainer({ ...small, steps: 50 }, { weights: { ...w, wout: w.wout.map(() => 1e30) } });
    const r = await huge.run();
    expect(r.stopReason).toBe('diverged');
    expect(r.steps).toBe(1);
    expect(r.divergence).toMatch(/the loss became (Infinity|NaN) at step 1/);
  });

  test('init follows nn.Linear bounds: |W_in| < 1/sqrt(n), |W_out|, |b| < 1/sqrt(m)', async () => {
    const w = await (await createTrainer({ ...small, steps: 1 })).weights();
    const max = (a: Float32Array) => a.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    expect(max(w.win)).toBeLessThan(1 / 8);
    expect(max(w.win)).toBeGreaterThan(0.9 / 8);
    expect(max(w.wout)).toBeLessThan(1 / 4);
    expect(max(w.bias)).toBeLessThan(1 / 4);
  });

  test('freezeIn keeps W_in; no bias keeps b = 0; tied keeps W_out = W_in^T', async () => {
    const frozen = await createTrainer({ ...small, steps: 30, freezeIn: true });
    const before = (await frozen.weights()).win;
    await frozen.run();
    const after = await frozen.weights();
    expect(after.win).toEqual(before);
    const noBias = await createTrainer({ ...small, steps: 30, bias: false });
    await noBias.run();
    expect(Array.from((await noBias.weights()).bias).every((v) => v === 0)).toBe(true);
    for (const backend of ['wasm', 'js'] as const) {
      const tied = await createTrainer({ ...small, steps: 30, tied: true, backend });
      const r = await tied.run();
      const w = await tied.weights();
      for (let i = 0; i < 64; i++) for (let k = 0; k < 16; k++) expect(w.wout[i * 16 + k]).toBe(w.win[k * 64 + i]);
      expect(r.lossHistory[29]).toBeLessThan(r.lossHistory[0]);
    }
  });

  test('importance weights the loss; a zero-importance feature is not learned', async () => {
    const importance = Array.from({ length: 64 }, (_, j) => (j < 32 ? 1 : 0));
    const t = await createTrainer({ ...small, steps: 400, lr: 3e-3, importance });
    const r = await t.run();
    const first = r.perFeatureLoss.slice(0, 32).reduce((a, b) => a + b, 0) / 32;
    const second = r.perFeatureLoss.slice(32).reduce((a, b) => a + b, 0) / 32;
    expect(first).toBeLessThan(second);
    expect(r.evalLoss).toBeCloseTo(first / 2, 8); // mean over all 64 features of I_j * loss_j
  });

  test('per-feature probabilities are honoured (a rarer half has lower loss)', async () => {
    const p = Array.from({ length: 64 }, (_, j) => (j < 32 ? 0.01 : 0.2));
    const r = await (await createTrainer({ ...small, featureProbability: p, steps: 50 })).run();
    const first = r.perFeatureLoss.slice(0, 32).reduce((a, b) => a + b, 0);
    const second = r.perFeatureLoss.slice(32).reduce((a, b) => a + b, 0);
    expect(first).toBeLessThan(second);
  });

  test('epochs mode stops at an epoch end, by the stop rule or the epoch limit', async () => {
    const t = await createTrainer({ ...small, epochs: 40, samplesPerEpoch: 2560, lr: 1e-2 });
    const r = await t.run();
    expect(r.steps % 10).toBe(0);
    expect(['stop-rule', 'max-epochs']).toContain(r.stopReason);
    if (r.stopReason === 'stop-rule') expect(shouldStopTraining(r.lossHistory, r.steps)).toBe(true);
    else expect(r.steps).toBe(400);
  });

  test('progress reports and cancellation', async () => {
    const t = await createTrainer({ ...small, steps: 1000 });
    const seen: number[] = [];
    const r = await t.run({ progressEverySteps: 10, onProgress: (p) => seen.push(p.step), shouldStop: () => seen.length >= 3 });
    expect(r.stopReason).toBe('cancelled');
    expect(seen).toEqual([10, 20, 30]);
    expect(r.steps).toBe(30);
  });

  test('sizes that cannot fit in wasm memory are refused before allocating', async () => {
    await expect(createTrainer({ nFeatures: 65536, nHidden: 60000, featureProbability: 0.01, batch: 1024 })).rejects.toThrow(/GiB of wasm memory; the limit is 4 GiB/);
  });
});

describe('stop rule', () => {
  test('needs two full windows, stops when the recent mean is not lower', () => {
    const falling = Array.from({ length: 400 }, (_, i) => 1 - i / 1000);
    expect(shouldStopTraining(falling, 399)).toBe(false);
    expect(shouldStopTraining(falling, 400)).toBe(false);
    const flat = new Array(400).fill(0.5);
    expect(shouldStopTraining(flat, 400)).toBe(true);
    const rising = falling.slice().reverse();
    expect(shouldStopTraining(rising, 400)).toBe(true);
  });
});
