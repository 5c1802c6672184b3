// `persian-rug bench`: the tiny mode's JSON report (fields, checks, ratios taken from its own rows), a broken peer
// refused before timing, usage errors; and the hand-written dense JS trainer against the TS twin. No timing assertions.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBench } from '../../src/cli/bench.js';
import { BenchCheckError, benchPlan, runBenchmark, type BenchReport } from '../../src/bench/index.js';
import { createDenseTrainer } from '../../src/bench/dense.js';
import { createTrainer } from '../../src/train/trainer.js';
import { resolveTrainConfig } from '../../src/train/config.js';
import { BACKEND_LOSS_RELATIVE } from '../tolerance.js';
import { runCommand } from '../helpers.js';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

function expectConsistent(report: BenchReport, repeats: number): void {
  expect(report.mode).toBe('tiny');
  expect(report.repeats).toBe(repeats);
  expect(report.environment.machine).toMatch(/cores/);
  expect(report.environment.runtime).toBe(`node ${process.version}`);
  expect(report.probe.check.passed).toBe(true);
  expect(report.probe.peakGflops).toBeGreaterThan(0);
  expect(report.probe.gemmFractionOfPeak).toBeCloseTo(report.probe.gemmGflops / report.probe.peakGflops, 12);
  const [shape] = report.shapes;
  expect(shape.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['wasm = TS twin', 'wasm 2 threads = 1 thread', 'dense JS = TS twin']));
  expect(shape.checks.every((c) => c.passed)).toBe(true);
  const kinds = shape.rows.map((r) => `${r.kind} ${r.threads}`);
  expect(kinds).toEqual(expect.arrayContaining(['wasm 1', 'wasm 2', 'twin 1', 'dense 1']));
  for (const row of shape.rows) {
    const { runs, median, best } = row.samplesPerSecond;
    expect(runs).toHaveLength(repeats);
    expect(best).toBe(Math.max(...runs));
    expect(median).toBeLessThanOrEqual(best);
    expect(median).toBeGreaterThanOrEqual(Math.min(...runs));
    // bound: the decoder GEMM's 2 n m flops a sample at the probe's peak on the row's threads
    expect(row.boundSamplesPerSecond).toBeCloseTo((row.threads * report.probe.peakGflops * 1e9) / (2 * shape.shape.nFeatures * shape.shape.nHidden), 6);
    expect(row.fractionOfBound).toBeCloseTo(median / row.boundSamplesPerSecond, 12);
  }
  const whole = (t: number) => shape.rows.find((r) => r.kind === 'wasm' && r.threads === t && r.steps[1] === shape.shape.steps)!;
  const short = shape.rows.find((r) => r.kind === 'wasm' && r.steps[1] === shape.shape.twinSteps)!;
  const twin = shape.rows.find((r) => r.kind === 'twin')!;
  const dense = shape.rows.find((r) => r.kind === 'dense')!;
  expect(whole(1).windows?.map((w) => w.steps)).toEqual([[0, shape.shape.splitAt], [shape.shape.splitAt, shape.shape.steps]]);
  expect(shape.ratios.twoThreads!.median).toBeCloseTo(whole(2).samplesPerSecond.median / whole(1).samplesPerSecond.median, 12);
  expect(shape.ratios.vsTwin.median).toBeCloseTo(short.samplesPerSecond.median / twin.samplesPerSecond.median, 12);
  expect(shape.ratios.vsDense.best).toBeCloseTo(short.samplesPerSecond.best / dense.samplesPerSecond.best, 12);
}

describe('persian-rug bench', () => {
  it('--tiny --json --no-torch: every row checked, median and best of the rounds, bound and ratios from the same rows', async () => {
    const { code, stdout } = await runCommand(runBench, '--tiny', '--json', '--no-torch', '--repeats', '2');
    expect(code).toBe(0);
    const report = JSON.parse(stdout[stdout.length - 1]) as BenchReport;
    expectConsistent(report, 2);
    expect(report.environment.pytorch).toMatch(/--no-torch/);
    expect(report.shapes[0].rows.some((r) => r.kind === 'peer')).toBe(false);
    expect(report.shapes[0].ratios.vsPeer).toBeUndefined();
  }, 120_000);

  it.skipIf(!hasTorch)('--tiny with PyTorch: its rows (1 and 2 threads) after its loss check, ratios against the fastest', async () => {
    const { code, stdout } = await runCommand(runBench, '--tiny', '--json', '--repeats', '1');
    expect(code).toBe(0);
    const report = JSON.parse(stdout[stdout.length - 1]) as BenchReport;
    expectConsistent(report, 1);
    const [shape] = report.shapes;
    const peers = shape.rows.filter((r) => r.kind === 'peer');
    expect(peers.map((r) => r.threads)).toEqual([1, 2]);
    expect(shape.checks.filter((c) => c.name.endsWith('same loss as ours') && c.passed)).toHaveLength(2);
    const fastest = Math.max(...peers.map((r) => r.samplesPerSecond.median));
    const one = shape.rows.find((r) => r.kind === 'wasm' && r.threads === 1)!;
    expect(shape.ratios.vsPeer![0].median).toBeCloseTo(one.samplesPerSecond.median / fastest, 12);
  }, 120_000);

  it('the text report: the table, the ratios and the checks', async () => {
    const { code, stdout } = await runCommand(runBench, '--tiny', '--no-torch', '--repeats', '1');
    expect(code).toBe(0);
    expect(stdout.some((l) => l.startsWith('| tiny (n 64, m 16, p 0.05) | wasm, 1 thread |'))).toBe(true);
    expect(stdout.some((l) => /^tiny: .*2 threads [\d.]+x of 1/.test(l))).toBe(true);
    expect(stdout[stdout.length - 1]).toMatch(/^checked before timing: .*tiny: dense JS = TS twin \(ok\)/);
  }, 120_000);

  it('a peer whose loss is wrong is refused before its rate is kept', async () => {
    const shape = benchPlan('tiny').shapes[0];
    const broken = { name: 'broken', threads: 1, run: async (_: unknown, steps: number) => ({ samplesPerSecond: 1, warmupSteps: 0, steps, lossHistory: new Array(steps).fill(1) }) };
    const run = runBenchmark({ shapes: [shape], repeats: 1, threads: [1], peers: [broken] });
    await expect(run).rejects.toBeInstanceOf(BenchCheckError);
    await expect(run).rejects.toThrow(/broken: same loss as ours/);
  }, 60_000);

  it('bad flags: one line naming the flag and the allowed range, exit 2', async () => {
    for (const [argv, message] of [[['--repeats', '0'], 'repeats (--repeats) = 0 is not an integer in [1, 100]'], [['--quick', '--tiny'], '--quick and --tiny conflict'], [['--fast'], 'unknown flag --fast']] as const) {
      const { code, stdout, stderr } = await runCommand(runBench, ...argv);
      expect(code).toBe(2);
      expect(stdout).toEqual([]);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toContain(message);
    }
  });
});

describe('the measuring core runs in browsers', () => {
  it('src/bench imports no node: module (PyTorch and machine facts live in src/cli/bench.ts)', () => {
    const dir = new URL('../../src/bench/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(['measure.ts', 'dense.ts', 'format.ts', 'index.ts']));
    for (const file of files) expect(readFileSync(new URL(file, dir), 'utf8')).not.toMatch(/from ['"]node:|import\(['"]node:/);
  });

  it('a browser bundle of persian-rug/bench (dist/bench/index.js) has no node: import and takes the web host', async () => {
    const { rolldown } = await import('rolldown');
    const build = await rolldown({ input: fileURLToPath(new URL('../../dist/bench/index.js', import.meta.url)), platform: 'browser', resolve: { conditionNames: ['browser', 'import', 'default'] }, logLevel: 'silent' });
    const { output } = await build.generate({ format: 'esm', codeSplitting: false });
    await build.close();
    const code = output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n');
    expect(code).not.toMatch(/['"]node:/);
    expect(code).toContain('crossOriginIsolated');
    expect(code).toContain('runBenchmark');
  }, 60_000);
});

describe('the hand-written dense JS trainer', () => {
  it('trains like the TS twin: same losses over 5 steps (same data and init, f32 vs f64 rounding)', async () => {
    const config = resolveTrainConfig({ nFeatures: 40, nHidden: 7, featureProbability: 0.1, batch: 32, steps: 5, seed: 3, backend: 'js', threads: 1, evalSamples: 16 });
    const step = createDenseTrainer(config);
    const dense = Array.from({ length: 5 }, () => step());
    const trainer = await createTrainer(config);
    const twin = (await trainer.run()).lossHistory;
    trainer.dispose();
    dense.forEach((l, i) => expect(Math.abs(l - twin[i])).toBeLessThanOrEqual(BACKEND_LOSS_RELATIVE * twin[i]));
    expect(twin[4]).toBeLessThan(twin[0]);
  });

  it('refuses settings it does not implement', () => {
    expect(() => createDenseTrainer(resolveTrainConfig({ nFeatures: 8, nHidden: 2, featureProbability: 0.1, batch: 4, tied: true }))).toThrow(/untied/);
  });
});
