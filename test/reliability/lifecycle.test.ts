// The API's lifecycle and its inputs: dispose() in every state (idle, during a one- or two-thread run, in a worker)
// ends a run() in progress with TrainerDisposedError and makes every later call throw; every option is validated
// with a ConfigError naming it; non-finite or wrongly sized initial weights are refused before any step; a diverged
// model's loss is not reported as a number.
import { describe, expect, test } from 'vitest';
import { createTrainer, TrainerDisposedError } from '../../src/train/trainer.js';
import { ConfigError } from '../../src/train/config.js';
import { createWorkerTrainer } from '../../dist/index.js';
import type { Trainer } from '../../src/api.js';

const small = { nFeatures: 32, nHidden: 8, featureProbability: 0.1, batch: 64, evalSamples: 256, steps: 2000, threads: 1 } as const;

/** Starts run() and disposes the trainer at the first progress report; returns how run() ended. */
async function disposeDuringRun(trainer: Trainer): Promise<unknown> {
  let reports = 0;
  const running = trainer.run({ progressEverySteps: 10, onProgress: () => { reports++; if (reports === 1) setTimeout(() => trainer.dispose(), 0); } });
  return running.then(() => 'resolved', (error: unknown) => error);
}

describe('dispose()', () => {
  for (const threads of [1, 2] as const) {
    test(`during a ${threads}-thread run: run() rejects with TrainerDisposedError before its last step; later calls throw`, async () => {
      const trainer = await createTrainer({ ...small, threads });
      const outcome = await disposeDuringRun(trainer);
      expect(outcome).toBeInstanceOf(TrainerDisposedError);
      expect((outcome as Error).message).toMatch(/disposed during run\(\) \(after step (\d+)\)/);
      expect(Number(/after step (\d+)/.exec((outcome as Error).message)![1])).toBeLessThan(small.steps);
      await expect(trainer.run()).rejects.toBeInstanceOf(TrainerDisposedError);
      await expect(trainer.weights()).rejects.toBeInstanceOf(TrainerDisposedError);
      await expect(trainer.evaluate()).rejects.toBeInstanceOf(TrainerDisposedError);
      await expect(trainer.checkpoint()).rejects.toBeInstanceOf(TrainerDisposedError);
      trainer.dispose(); // twice is fine
    });
  }

  test('from inside onProgress: the run stops at the next step, not after its budget', async () => {
    const trainer = await createTrainer(small);
    const running = trainer.run({ progressEverySteps: 5, onProgress: (p) => { if (p.step === 5) trainer.dispose(); } });
    await expect(running).rejects.toThrow(/disposed during run\(\) \(after step 5\)/);
  });

  test('idle, before any run: every call throws', async () => {
    const trainer = await createTrainer(small);
    trainer.dispose();
    await expect(trainer.run({ progressEverySteps: 1 })).rejects.toBeInstanceOf(TrainerDisposedError);
    await expect(trainer.weights()).rejects.toThrow(/the trainer was disposed; create a new one/);
  });

  test('a worker trainer: run() in progress rejects, later calls reject', async () => {
    const trainer = await createWorkerTrainer({ ...small, steps: 20000 });
    const outcome = await disposeDuringRun(trainer as unknown as Trainer);
    expect((outcome as Error).name).toBe('TrainerDisposedError');
    await expect(trainer.weights()).rejects.toThrow(/disposed/);
    await expect(trainer.run()).rejects.toThrow(/disposed/);
  });

  test('a second run() while one is running is refused', async () => {
    const trainer = await createTrainer({ ...small, steps: 200 });
    const first = trainer.run({ progressEverySteps: 10 });
    await expect(trainer.run()).rejects.toThrow(/run\(\) is already running/);
    await first;
    trainer.dispose();
  });
});

describe('options are validated with a ConfigError naming them', () => {
  test.each([
    [{ progressEverySteps: NaN }, /progressEverySteps = NaN is not an integer in \[1, 1000000000\]/],
    [{ progressEverySteps: 0 }, /progressEverySteps = 0 is not an integer/],
    [{ progressEverySteps: 2.5 }, /progressEverySteps = 2.5 is not an integer/],
    [{ checkpointEverySteps: Infinity }, /checkpointEverySteps = Infinity is not an integer/],
    [{ onProgress: 'yes' }, /onProgress = "yes" is not a function/],
    [{ shouldStop: 1 }, /shouldStop = 1 is not a function/],
    [{ progresEverySteps: 10 }, /run\(\) option "progresEverySteps" is unknown/],
    [JSON.parse('{"__proto__": {"x": 1}}'), /run\(\) option "__proto__" is unknown/],
    [5, /run\(\) options = 5 is not an object/],
  ])('run(%o)', async (options, message) => {
    const trainer = await createTrainer({ ...small, steps: 10 });
    const outcome = await trainer.run(options as never).then(() => 'resolved', (error: unknown) => error);
    expect(outcome).toBeInstanceOf(ConfigError);
    expect((outcome as Error).message).toMatch(message);
    trainer.dispose();
  });

  test.each([
    [{ ...small, nFeatures: NaN }, /nFeatures \(--n\) = NaN/],
    [JSON.parse('{"__proto__": {"nFeatures": 4}, "nFeatures": 8}'), /unknown config field "__proto__"/],
    [{ ...small, adamBeta1: 0.5 }, /adamBeta1 = 0.5 is fixed at 0.9/],
  ])('createTrainer(%o)', async (config, message) => {
    await expect(createTrainer(config as never)).rejects.toThrow(message);
    await expect(createTrainer(config as never)).rejects.toBeInstanceOf(ConfigError);
  });

  const weights = (n: number, m: number, fill = 0.1) => ({ nFeatures: n, nHidden: m, win: new Float32Array(m * n).fill(fill), wout: new Float32Array(n * m).fill(fill), bias: new Float32Array(n) });
  test.each([
    ['wrong length', { ...weights(32, 8), win: new Float32Array(7) }, /weights.win has 7 values; it needs m x n = 8 x 32 = 256/],
    ['wrong shape', weights(16, 8), /weights are 8 x 16 \(nHidden x nFeatures\); the config needs 8 x 32/],
    ['all NaN', weights(32, 8, NaN), /weights.win\[0\] = NaN is not finite/],
    ['an Infinity in the bias', { ...weights(32, 8), bias: new Float32Array(32).fill(Infinity) }, /weights.bias\[0\] = Infinity is not finite/],
    ['not an object', 'w', /weights = "w" is not an object/],
  ])('initial weights: %s', async (_name, w, message) => {
    await expect(createTrainer(small, { weights: w as never })).rejects.toThrow(message);
  });

  test('resume that is not a checkpoint: ConfigError naming what is missing, not a TypeError', async () => {
    await expect(createTrainer(small, { resume: { step: 5 } as never })).rejects.toThrow(/resume is not a checkpoint: it has no config, weights, adam, lossHistory/);
    const trainer = await createTrainer({ ...small, steps: 20 });
    await trainer.run();
    const checkpoint = await trainer.checkpoint();
    trainer.dispose();
    await expect(createTrainer({ ...small, steps: 20 }, { resume: { ...checkpoint, lossHistory: checkpoint.lossHistory.slice(1) } })).rejects.toThrow(/resume.lossHistory has 19 losses; step 20 needs 20/);
    await expect(createTrainer({ ...small, steps: 20 }, { resume: { ...checkpoint, adam: { ...checkpoint.adam, bias: { moment: new Float32Array(3), velocity: new Float32Array(3) } } } })).rejects.toThrow(/resume.adam.bias.moment has 3 values; it needs n = 32/);
    await expect(createTrainer(small, { bogus: 1 } as never)).rejects.toThrow(/createTrainer option "bogus" is unknown/);
  });
});

describe('a diverged model', () => {
  test('its evalLoss is not a finite number, and evaluate() says so too', async () => {
    // no valid config diverges on purpose: a weight overflows at step 10 (as Adam's update can), the loss stays finite
    const trainer = await createTrainer({ ...small, steps: 50 });
    const model = (trainer as unknown as { model: { step: number; trainStep(): number; weights(): { win: Float32Array }; adamState(): unknown; restore(s: number, w: unknown, a: unknown): void } }).model;
    const step = model.trainStep.bind(model);
    model.trainStep = () => {
      const loss = step();
      if (model.step === 10) { const w = model.weights(); w.win.fill(Infinity); model.restore(model.step, w, model.adamState()); }
      return loss;
    };
    const result = await trainer.run();
    expect(result.stopReason).toBe('diverged');
    expect(Number.isFinite(result.evalLoss)).toBe(false);
    expect(result.perFeatureLoss.every((x) => !Number.isFinite(x))).toBe(true);
    expect(Number.isFinite((await trainer.evaluate()).loss)).toBe(false);
    trainer.dispose();
  });
});
