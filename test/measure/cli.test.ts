// `persian-rug measure`: JSON shape and predicted vs measured loss on a trained run; exit 2 with one line on bad input.
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readdir, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { optimalSymmetricLoss } from '../../src/theory/index.js';
import type { CliIo } from '../../src/cli/io.js';

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [], err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

let root: string;
let run: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'measure-'));
  run = join(root, 'run');
  const io = capture();
  const code = await main(['train', '--n', '64', '--m', '16', '--p', '0.1', '--steps', '200', '--batch', '256', '--eval-samples', '4096', '--out', run], io);
  expect(code).toBe(0);
});

describe('persian-rug measure', () => {
  test('--json: one object on the last line; predicted loss within a loose factor of the measured one', async () => {
    const io = capture();
    expect(await main(['measure', run, '--json', '--rows', '8', '--samples', '500', '--seed', '3'], io)).toBe(0);
    expect(io.err).toEqual([]);
    const r = JSON.parse(io.out[io.out.length - 1]);
    for (const key of ['nFeatures', 'nHidden', 'p', 'ratio', 'diagonal', 'bias', 'rowNormSquared', 'interferenceVariance', 'interferenceMean',
      'lyapunov', 'offDiagonal', 'norms', 'rank', 'interference', 'loss', 'optimum', 'backend', 'notes']) expect(r).toHaveProperty(key);
    expect([r.nFeatures, r.nHidden, r.p, r.ratio, r.backend]).toEqual([64, 16, 0.1, 0.25, 'wasm']);
    expect(Object.keys(r.diagonal).sort()).toEqual(['mean', 'variance']);
    expect(r.lyapunov.min).toBeLessThanOrEqual(r.lyapunov.max);
    expect([r.interference.rows, r.interference.samplesPerRow]).toEqual([8, 500]);
    expect(r.rank).toBeGreaterThan(0);
    expect(r.rank).toBeLessThanOrEqual(16);
    expect(r.loss.measured).toBeGreaterThan(0);
    expect(r.loss.optimal).toBe(optimalSymmetricLoss(0.1, 0.25).loss);
    expect(r.loss.predictedOverMeasured).toBeCloseTo(r.loss.predicted / r.loss.measured, 12);
    // The symmetric theory on a small, barely trained model: a loose factor, not a precision claim.
    expect(r.loss.predictedOverMeasured).toBeGreaterThan(0.5);
    expect(r.loss.predictedOverMeasured).toBeLessThan(2);
    expect(r.loss.meanFieldOverMeasured).toBeGreaterThan(0.5);
    expect(r.loss.meanFieldOverMeasured).toBeLessThan(2);
  });

  test('the wasm and js backends agree; the table names the measured and predicted losses', async () => {
    const wasm = capture(), js = capture(), human = capture();
    expect(await main(['measure', run, '--json', '--rows', '4', '--samples', '200'], wasm)).toBe(0);
    expect(await main(['measure', run, '--json', '--rows', '4', '--samples', '200', '--backend', 'js'], js)).toBe(0);
    const a = JSON.parse(wasm.out.at(-1)!), b = JSON.parse(js.out.at(-1)!);
    expect(Math.abs(a.loss.predicted / b.loss.predicted - 1)).toBeLessThan(1e-4);
    expect(Math.abs(a.offDiagonal.skewness - b.offDiagonal.skewness)).toBeLessThan(1e-4 * Math.max(1, Math.abs(b.offDiagonal.skewness)));
    expect(await main(['measure', run], human)).toBe(0);
    const text = human.out.join('\n');
    expect(text).toMatch(/measured \(run\.json evalLoss\)/);
    expect(text).toMatch(/predicted \/ measured/);
    expect(text).toMatch(/L\*\(p, r\) symmetric optimum/);
  });

  test('per-feature p: uses the mean p and says so', async () => {
    const dir = join(root, 'perFeature');
    await mkdir(dir);
    const record = JSON.parse(await (await import('node:fs/promises')).readFile(join(run, 'run.json'), 'utf8'));
    record.config.featureProbability = Array.from({ length: 64 }, (_, j) => (j % 2 ? 0.05 : 0.15));
    await writeFile(join(dir, 'run.json'), JSON.stringify(record));
    await copyFile(join(run, 'weights.safetensors'), join(dir, 'weights.safetensors'));
    const io = capture();
    expect(await main(['measure', dir, '--json', '--rows', '2', '--samples', '100'], io)).toBe(0);
    const r = JSON.parse(io.out.at(-1)!);
    expect(r.p).toBeCloseTo(0.1, 15);
    expect(r.notes.join(' ')).toMatch(/per-feature p.*mean p = 0\.1/);
  });

  test.each([
    ['missing dir', (d: string) => [join(d, 'nope')], /RUN_DIR = .*nope: no such directory/],
    ['no RUN_DIR', () => [], /RUN_DIR is required/],
    ['missing run.json', (d: string) => [d], /run\.json: missing/],
    ['bad --rows', () => ['RUN'], /rows \(--rows\) = 65 is not an integer in \[1, 64\]/],
    ['unknown flag', () => ['RUN', '--bogus'], /unknown flag --bogus/],
  ] as const)('%s: exit 2, one line, nothing written', async (_name, args, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'measure-bad-'));
    const argv = args(dir).map((a) => (a === 'RUN' ? run : a));
    if (_name === 'bad --rows') argv.push('--rows', '65');
    const io = capture();
    expect(await main(['measure', ...argv], io)).toBe(2);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(message);
    expect(io.out).toHaveLength(0);
    expect(await readdir(dir)).toEqual([]);
  });

  test.each([
    ['corrupt run.json', async (d: string) => { await writeFile(join(d, 'run.json'), '{"config": {"nFeat'); }, /run\.json: not valid JSON/],
    ['run.json without config', async (d: string) => { await writeFile(join(d, 'run.json'), '{"evalLoss": 0.1}'); }, /run\.json: has no "config" object/],
    ['missing weights', async (d: string) => { await copyFile(join(run, 'run.json'), join(d, 'run.json')); }, /weights\.safetensors: missing/],
    ['corrupt weights', async (d: string) => {
      await copyFile(join(run, 'run.json'), join(d, 'run.json'));
      await writeFile(join(d, 'weights.safetensors'), new Uint8Array([1, 2, 3]));
    }, /weights\.safetensors: 3 bytes is too short/],
  ] as const)('%s: exit 2 naming the file, nothing written', async (_name, prepare, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'measure-bad-'));
    await prepare(dir);
    const before = (await readdir(dir)).sort();
    const io = capture();
    expect(await main(['measure', dir, '--json'], io)).toBe(2);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(message);
    expect(io.err[0]).toContain(dir);
    expect(io.out).toHaveLength(0);
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  test('--help', async () => {
    const io = capture();
    expect(await main(['measure', '--help'], io)).toBe(0);
    expect(io.out.join('\n')).toMatch(/usage: persian-rug measure RUN_DIR/);
  });
});
