// `persian-rug converge` through runConverge: trained, rug and L* side by side, capped and saying so.
import { runCommand } from '../helpers.js';
import { describe, expect, it } from 'vitest';
import { runConverge } from '../../src/cli/converge.js';
import { optimalSymmetricLoss } from '../../src/theory/index.js';

const run = (...argv: string[]) => runCommand(runConverge, ...argv);

describe('persian-rug converge', () => {
  it('prints trained loss, rug loss, L* and their ratios per n; says it is capped; --json last', async () => {
    const { code, stdout } = await run('--p', '0.1', '--r', '0.25', '--n', '32,64', '--steps', '40', '--batch', '256', '--eval-samples', '2048', '--rug-samples', '2000', '--workers', '0', '--json');
    expect(code).toBe(0);
    expect(stdout[0]).toMatch(/CAPPED at 40 steps \(less than one epoch/);
    const result = JSON.parse(stdout[stdout.length - 1]);
    expect(result).toMatchObject({ p: 0.1, r: 0.25, capped: true, capEpochs: 0, capSteps: 40, paperEpochs: 1500 });
    expect(result.rows.map((row: { n: number }) => row.n)).toEqual([32, 64]);
    for (const row of result.rows) {
      expect(row.theoryLoss).toBeCloseTo(optimalSymmetricLoss(0.1, row.m / row.n).loss, 12);
      expect(row.trainedOverTheory).toBeCloseTo(row.trainedLoss / row.theoryLoss, 12);
      expect(row.rugOverTheory).toBeGreaterThan(0.8);
      expect(row.steps).toBe(40);
    }
  });

  it('exit 2 with one line on bad input', async () => {
    for (const argv of [['--r', '0.25'], ['--p', '0', '--r', '0.25'], ['--p', '0.1', '--r', '0.25', '--steps', '0'], ['--p', '0.1,0.2', '--r', '0.25']]) {
      const { code, stderr } = await run(...argv);
      expect(code).toBe(2);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(/^persian-rug converge: /);
    }
  });
});
