// `persian-rug theory` through runTheory with captured output.
import { runCommand } from '../helpers.js';
import { describe, expect, it } from 'vitest';
import { runTheory } from '../../src/cli/theory.js';
import { linearLoss, mmseLoss, optimalSymmetricLoss, paperCodeLinearLoss } from '../../src/theory/index.js';

const run = (...argv: string[]) => runCommand(runTheory, ...argv);

describe('persian-rug theory', () => {
  it('prints L*, the optimum and the baselines for one point as a table', async () => {
    const { code, stdout, stderr } = await run('--p', '0.045', '--r', '0.25');
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    const text = stdout.join('\n');
    const optimum = optimalSymmetricLoss(0.045, 0.25);
    expect(text).toContain(optimum.loss.toPrecision(6));
    expect(text).toContain(linearLoss(0.045, 0.25).toPrecision(6));
    expect(text).not.toContain('paper-code');
  });

  it('--json: the last line is one object with the optimum, baselines and, with --n/--m, the paper-code baseline', async () => {
    const { code, stdout } = await run('--p=0.045', '--n', '1024', '--m', '256', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout[stdout.length - 1]);
    const optimum = optimalSymmetricLoss(0.045, 0.25);
    expect(result).toMatchObject({
      p: 0.045, r: 0.25, n: 1024, m: 256, loss: optimum.loss, a: optimum.a, c: optimum.c, sigma: optimum.sigma, kappa: optimum.kappa,
      linearLoss: linearLoss(0.045, 0.25), constantLoss: 0.045 / 3 - 0.045 ** 2 / 4, zeroLoss: 0.015,
      paperCodeLinearLoss: paperCodeLinearLoss(1024, 256, 0.045), mmseLoss: mmseLoss(0.045, 0.25),
    });
    expect(result.highSparsityLoss).toBeGreaterThan(0);
  });

  it('--n with --r uses m = max(1, floor(n r)) and reports r = m / n', async () => {
    const { stdout } = await run('--p', '0.1', '--n', '100', '--r', '0.005', '--json');
    const result = JSON.parse(stdout[stdout.length - 1]);
    expect(result.m).toBe(1);
    expect(result.r).toBe(0.01);
  });

  it('--csv over ranges: header plus one row per (p, r), inclusive linspace and comma lists', async () => {
    const { code, stdout } = await run('--p', '0.01:0.1:3', '--r', '0.2,0.5', '--csv');
    expect(code).toBe(0);
    const [header, ...rows] = stdout;
    const columns = header.split(',');
    expect(columns.slice(0, 3)).toEqual(['p', 'r', 'loss']);
    expect(columns).not.toContain('paperCodeLinearLoss');
    expect(rows).toHaveLength(6);
    const records = rows.map((row) => Object.fromEntries(row.split(',').map((cell, k) => [columns[k], Number(cell)])));
    [0.01, 0.01, 0.055, 0.055, 0.1, 0.1].forEach((p, k) => expect(records[k].p).toBeCloseTo(p, 15));
    expect(records[0].p).toBe(0.01);
    expect(records[5].p).toBe(0.1); // inclusive endpoints
    expect(records.map((record) => record.r)).toEqual([0.2, 0.5, 0.2, 0.5, 0.2, 0.5]);
    for (const record of records) expect(record.loss).toBe(optimalSymmetricLoss(record.p, record.r).loss);
  });

  it('--help prints usage and exits 0', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout.join('\n')).toContain('usage: persian-rug theory');
  });

  it('exits 2 with a one-line message naming flag, value and range, and prints nothing on stdout', async () => {
    const cases: Array<[string[], string[]]> = [
      [['--p', '1.5', '--r', '0.2'], ['--p', '1.5', '(0, 1]']],
      [['--p', '0.1', '--r', '0'], ['--r', '0', '(0, 1]']],
      [['--p', '0.1', '--r', 'abc'], ['--r', 'abc', 'not a number']],
      [['--p', '0.1', '--r', '0.1:0.5:0'], ['--r', 'COUNT', '[1, 10000]']],
      [['--p', '0.1', '--n', '8', '--m', '9'], ['--m', '9', '[1, 8]']],
      [['--p', '0.1', '--m', '9'], ['--m needs --n']],
      [['--p', '0.1', '--r', '0.2', '--bogus'], ['unknown flag --bogus']],
      [['--p', '0.1'], ['--r']],
      [['--r', '0.1'], ['--p is required']],
      [['--p', '0.1', '--r', '0.2', '--json', '--csv'], ['--json and --csv']],
    ];
    for (const [argv, fragments] of cases) {
      const { code, stdout, stderr } = await run(...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stdout).toEqual([]);
      expect(stderr).toHaveLength(1);
      for (const fragment of fragments) expect(stderr[0], argv.join(' ')).toContain(fragment);
    }
  });
});
