// Worker client and pool, tested on the shipped artifact (dist/): node worker_threads run dist/worker/worker.js.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { createTrainer, createTrainerPool, createWorkerTrainer, weightsFingerprint, type TrainCheckpoint, type TrainProgress } from '../../dist/index.js';

const workerEntry = new URL('../../dist/worker/worker.js', import.meta.url);
if (!existsSync(workerEntry)) throw new Error(`${workerEntry.pathname} is missing: run \`npm run build\` first (these tests run the built package)`);

const small = { nFeatures: 64, nHidden: 16, featureProbability: 0.05, batch: 256, seed: 7, steps: 200, evalSamples: 4096 } as const;

/** A worker that dies on its first message: by process.exit(code), or by an uncaught throw. */
const crashingWorker = (how: 'exit' | 'throw') => new Worker(
  `const { parentPort } = require('node:worker_threads');
   parentPort.once('message', () => { ${how === 'exit' ? 'process.exit(7)' : "throw new Error('worker blew up')"}; });`,
  { eval: true },
);

describe('createWorkerTrainer', () => {
  test('a run in a worker equals the same run in-process, bit for bit', async () => {
    const local = await createTrainer(small);
    const remote = await createWorkerTrainer(small);
    try {
      expect(remote.config).toEqual(local.config);
      const [w0, l0] = [await remote.weights(), await local.weights()];
      expect(w0.win).toEqual(l0.win);
      const [rr, rl] = [await remote.run(), await local.run()];
      expect(rr.lossHistory).toEqual(rl.lossHistory);
      expect(rr.evalLoss).toBe(rl.evalLoss);
      expect(rr.perFeatureLoss).toEqual(rl.perFeatureLoss);
      expect({ ...rr, seconds: 0, samplesPerSecond: 0 }).toEqual({ ...rl, seconds: 0, samplesPerSecond: 0 });
      const [wr, wl] = [await remote.weights(), await local.weights()];
      expect(wr.win).toEqual(wl.win);
      expect(wr.wout).toEqual(wl.wout);
      expect(wr.bias).toEqual(wl.bias);
      expect(weightsFingerprint(wr)).toBe(weightsFingerprint(wl));
      const [er, el] = [await remote.evaluate(2048), await local.evaluate(2048)];
      expect(er.perFeatureLoss).toEqual(el.perFeatureLoss);
      expect(er.perFeatureLoss).toBeInstanceOf(Float64Array);
    } finally {
      remote.dispose();
      local.dispose();
    }
  });

  test('a two-thread run in a worker (threads build handed over) equals the two-thread run in-process', async () => {
    const local = await createTrainer({ ...small, threads: 2 });
    const remote = await createWorkerTrainer({ ...small, threads: 2 });
    try {
      const [rr, rl] = [await remote.run(), await local.run()];
      expect(rr.lossHistory).toEqual(rl.lossHistory);
      expect(weightsFingerprint(await remote.weights())).toBe(weightsFingerprint(await local.weights()));
    } finally {
      remote.dispose();
      local.dispose();
    }
  });

  test('checkpoints cross the boundary; resuming one in another worker equals the uninterrupted run', async () => {
    const whole = await createWorkerTrainer(small);
    const saved: TrainCheckpoint[] = [];
    const full = await whole.run({ checkpointEverySteps: 50, progressEverySteps: 50, onCheckpoint: (c) => { saved.push(c); } });
    const fullWeights = await whole.weights();
    whole.dispose();
    expect(saved.map((c) => c.step)).toEqual([50, 100, 150]);
    expect(saved[0].weights.win).toBeInstanceOf(Float32Array);
    const resumed = await createWorkerTrainer(small, { resume: saved[0] });
    const rest = await resumed.run();
    expect(rest.lossHistory).toEqual(full.lossHistory);
    expect(weightsFingerprint(await resumed.weights())).toBe(weightsFingerprint(fullWeights));
    resumed.dispose();
  });

  test('progress events cross the boundary with the in-process values', async () => {
    const remote = await createWorkerTrainer(small);
    const events: TrainProgress[] = [];
    const result = await remote.run({ onProgress: (p) => events.push(p), progressEverySteps: 50 });
    remote.dispose();
    expect(events.map((e) => e.step)).toEqual([50, 100, 150, 200]);
    events.forEach((e, i) => {
      const chunk = result.lossHistory.slice(50 * i, 50 * (i + 1));
      expect(e.loss).toBe(chunk.reduce((a, b) => a + b, 0) / 50);
      expect(e.totalSteps).toBe(200);
    });
  });

  test('shouldStop, evaluated in the client thread, stops the worker early', async () => {
    const remote = await createWorkerTrainer({ ...small, steps: 1_000_000 });
    let reports = 0;
    const result = await remote.run({ progressEverySteps: 10, onProgress: () => reports++, shouldStop: () => reports >= 3 });
    remote.dispose();
    expect(result.stopReason).toBe('cancelled');
    expect(result.steps).toBeGreaterThanOrEqual(30);
    expect(result.steps).toBeLessThan(100_000);
    expect(result.lossHistory).toHaveLength(result.steps);
  });

  test('cancel() stops a run in progress', async () => {
    const remote = await createWorkerTrainer({ ...small, steps: 1_000_000 });
    let first!: () => void;
    const started = new Promise<void>((resolve) => { first = resolve; });
    const running = remote.run({ progressEverySteps: 10, onProgress: () => first() });
    await started;
    await remote.cancel();
    const result = await running;
    remote.dispose();
    expect(result.stopReason).toBe('cancelled');
    expect(result.steps).toBeLessThan(100_000);
  });

  test('a bad config rejects with the ConfigError from the worker', async () => {
    await expect(createWorkerTrainer({ ...small, nHidden: 65 })).rejects.toThrow(/nHidden \(--m\) = 65/);
  });

  test('a worker that dies mid-run rejects the pending call instead of hanging', async () => {
    // The real worker, plus a timer that exits once the test raises a shared flag (no extra message listener:
    // a listener attached before comlink's would start the port and swallow comlink's first messages).
    const crash = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(
      `const flag = new Int32Array(require('node:worker_threads').workerData);
       setInterval(() => { if (Atomics.load(flag, 0)) process.exit(9); }, 5);
       import(${JSON.stringify(workerEntry.href)});`,
      { eval: true, workerData: crash.buffer },
    );
    const remote = await createWorkerTrainer({ ...small, steps: 1_000_000 }, { worker });
    let first!: () => void;
    const started = new Promise<void>((resolve) => { first = resolve; });
    const running = remote.run({ progressEverySteps: 10, onProgress: () => first() });
    await started;
    Atomics.store(crash, 0, 1);
    await expect(running).rejects.toThrow(/exited with code 9/);
    remote.dispose();
  });
});

describe('TrainerPool', () => {
  test('results come back in submission order when the first job is the slowest', async () => {
    const pool = await createTrainerPool({ size: 2 });
    try {
      const jobs = [{ ...small, steps: 3000, seed: 1 }, { ...small, steps: 20, seed: 2 }, { ...small, steps: 20, seed: 3 }, { ...small, steps: 20, seed: 4 }];
      const finished: number[] = [];
      const outputs = await Promise.all(jobs.map((config, i) => pool.submit({ config }).then((o) => { finished.push(i); return o; })));
      expect(finished[finished.length - 1]).toBe(0);
      expect(outputs.map((o) => o.result.config.seed)).toEqual([1, 2, 3, 4]);
      expect(outputs.map((o) => o.result.steps)).toEqual([3000, 20, 20, 20]);
      expect(outputs.map((o) => o.result.config.threads)).toEqual([1, 1, 1, 1]); // the pool spreads jobs, not shards
      expect(new Set(outputs.map((o) => o.slot))).toEqual(new Set([0, 1])); // both workers served
      const local = await createTrainer({ ...jobs[2], threads: 1 });
      await local.run();
      expect(weightsFingerprint(outputs[2].weights)).toBe(weightsFingerprint(await local.weights()));
    } finally {
      pool.terminate();
    }
  });

  test('a job with an invalid config reports its error; the others succeed', async () => {
    const pool = await createTrainerPool({ size: 2 });
    try {
      const outcomes = await pool.runAll([
        { config: { ...small, seed: 1, steps: 30 } },
        { config: { ...small, featureProbability: 1.5 } },
        { config: { ...small, seed: 3, steps: 30 } },
        { config: { ...small, seed: 4, steps: 30 } },
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
      const failed = outcomes[1];
      if (failed.ok) throw new Error('unreachable');
      expect(failed.error.name).toBe('ConfigError');
      expect(failed.error.message).toMatch(/featureProbability \(--p\) = 1\.5/);
    } finally {
      pool.terminate();
    }
  });

  test('a crashed worker fails only its job and is replaced', async () => {
    for (const how of ['exit', 'throw'] as const) {
      let made = 0;
      const pool = await createTrainerPool({ size: 2, createWorker: () => (made++ === 0 ? crashingWorker(how) : new Worker(workerEntry)) });
      try {
        const outcomes = await pool.runAll([1, 2, 3, 4, 5].map((seed) => ({ config: { ...small, seed, steps: 30 } })));
        expect(outcomes.map((o) => o.ok)).toEqual([false, true, true, true, true]);
        const crashed = outcomes[0];
        if (crashed.ok) throw new Error('unreachable');
        expect(crashed.error.message).toMatch(how === 'exit' ? /exited with code 7/ : /worker blew up/);
        // Two jobs at once on an idle pool take both slots: the crashed slot runs on a replacement worker.
        const again = await Promise.all([6, 7].map((seed) => pool.submit({ config: { ...small, seed, steps: 10 } })));
        expect(new Set(again.map((o) => o.slot))).toEqual(new Set([0, 1]));
        expect(made).toBe(3);
      } finally {
        pool.terminate();
      }
    }
  });

  test('terminate() rejects the running and the queued jobs', async () => {
    const pool = await createTrainerPool({ size: 1 });
    let first!: () => void;
    const started = new Promise<void>((resolve) => { first = resolve; });
    const running = pool.submit({ config: { ...small, steps: 1_000_000 }, progressEverySteps: 10, onProgress: () => first() });
    const queued = pool.submit({ config: small });
    await started;
    pool.terminate();
    await expect(running).rejects.toThrow(/terminated/);
    await expect(queued).rejects.toThrow(/terminated/);
  });
});
