// `persian-rug rug`: JSON shape, PNG output (atomic, decodable), exit code 2 with one clear line on bad input.
import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRug } from '../../src/cli/rug.js';
import { main } from '../../src/cli/main.js';
import { optimalSymmetricLoss } from '../../src/theory/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { decodePng } from '../plot/pngDecode.js';

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [], err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

describe('persian-rug rug', () => {
  test('--json: the last stdout line is one object with the documented fields; PNG written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rug-cli-'));
    const io = capture();
    const png = join(dir, 'rug.png');
    const code = await main(['rug', '--n', '256', '--ratio', '0.25', '--p', '0.05', '--samples', '2000', '--png', png, '--block', '32', '--json'], io);
    expect(io.err).toEqual([]);
    expect(code).toBe(0);
    const result = JSON.parse(io.out[io.out.length - 1]);
    for (const key of ['n', 'm', 'p', 'A', 'mu', 'loss', 'lossStdErr', 'theoryLoss', 'fit', 'seconds']) expect(result).toHaveProperty(key);
    expect([result.n, result.m, result.p, result.fit]).toEqual([256, 64, 0.05, 'theory']);
    expect(result.theoryLoss).toBe(optimalSymmetricLoss(0.05, 0.25).loss);
    expect(result.lossStdErr).toBeGreaterThan(0);
    expect(Math.abs(result.loss / result.theoryLoss - 1)).toBeLessThan(0.1);
    const image = decodePng(new Uint8Array(readFileSync(png)));
    expect(image.width).toBeGreaterThan(2 * 420); // the figure at 2x: a 420 px image of W plus axes and colour bars
    expect(readdirSync(dir)).toEqual(['rug.png']); // no temp file left behind
  });

  test('--fit both reports both fits; the human summary names L*', async () => {
    const io = capture();
    expect(await runRug(['--n', '128', '--m', '32', '--p', '0.1', '--fit', 'both', '--epochs', '2', '--row-sets', '2', '--samples', '500', '--json'], io)).toBe(0);
    const result = JSON.parse(io.out.at(-1)!);
    expect(Object.keys(result.fits).sort()).toEqual(['adam', 'theory']);
    expect(result.fits.adam.rowSetLosses.length).toBe(2);
    const human = capture();
    expect(await runRug(['--n', '64', '--m', '16', '--p', '0.1', '--samples', '200'], human)).toBe(0);
    expect(human.out.join('\n')).toMatch(/L\*\(p, r\) symmetric optimum/);
  });

  test.each([
    [['--n', '100', '--m', '10', '--p', '0.1'], 'nFeatures (--n) = 100 is not a power of two in [2, 65536]'],
    [['--n', '64', '--m', '65', '--p', '0.1'], 'nHidden (--m) = 65 is not an integer in [1, 64]'],
    [['--n', '64', '--ratio', '0', '--p', '0.1'], 'ratio (--ratio) = 0 is not a number in (0, 1]'],
    [['--n', '64', '--m', '8', '--p', '1.5'], 'featureProbability (--p) = 1.5 is not a number in (0, 1]'],
    [['--n', '64', '--m', '8', '--ratio', '0.5', '--p', '0.1'], 'conflict'],
    [['--n', '64', '--m', '8'], '--p is required'],
    [['--n', '64', '--m', '8', '--p', '0.1', '--fit', 'sgd'], 'fit (--fit) = "sgd" is not one of theory, adam, both'],
    [['--n', '64', '--m', '8', '--p', '0.1', '--samples', '1'], 'samples (--samples) = 1 is not an integer in [2, 100000000]'],
    [['--n', '64', '--m', '8', '--p', '0.1', '--png', 'PNG', '--block', '65'], 'block (--block) = 65 is not an integer in [1, 64]'],
    [['--n', '64', '--m', '8', '--p', '0.1', '--png', 'PNG', '--trained', '/nonexistent/run'], '--trained = /nonexistent/run: no such file or directory'],
    [['--n', '64', '--m', '8', '--p', '0.1', '--trained', 'x'], '--trained = x needs --png'],
    [['--n', '64', '--m', '8', '--p', '0.1', '--png', '/nonexistent/dir/a.png'], 'directory /nonexistent/dir does not exist'],
    [['--n', '64', '--m', '8', '--p', '0.1', '--bogus', '1'], 'unknown flag --bogus'],
  ])('bad input %j: exit 2, one line naming it, nothing written', async (args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'rug-bad-'));
    const png = join(dir, 'out.png');
    const io = capture();
    const code = await runRug(args.map((a) => (a === 'PNG' ? png : a)), io);
    expect(code).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.length).toBe(1);
    expect(io.err[0]).toContain(message);
    expect(io.err[0].startsWith('persian-rug rug: ')).toBe(true);
    expect(existsSync(png)).toBe(false);
  });
});
