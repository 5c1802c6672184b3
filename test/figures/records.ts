// Synthetic sweep records for the figure tests: every kind over a small (n, p, r, seed) grid, values made up but
// deterministic, statistics and histograms on trained cells. Independent of the sweep runner.
import { linearLoss, optimalSymmetricLoss } from '../../src/theory/index.js';
import { RECORD_FORMAT, STATISTIC_FIELDS, type StatisticName, type SweepRecord } from '../../src/sweep/record.js';
import { hiddenFromRatio, type GridSpec, type SweepKind } from '../../src/sweep/grid.js';
import { testValues } from '../helpers.js';
import type { ModelWeights } from '../../src/api.js';
import type { RunSummary } from '../../src/figures/index.js';

export const GRID = { n: [32, 64], p: [0.001, 0.05, 0.4], r: [0.1, 0.3], seeds: [0, 1] };

export function syntheticRecords(): SweepRecord[] {
  const records: SweepRecord[] = [];
  const noise = testValues(1000, 7, 0.8, 1.2);
  let k = 0;
  const grid = { kinds: ['trained', 'rug', 'theory', 'linear'] } as unknown as GridSpec;
  for (const kind of ['trained', 'rug', 'theory', 'linear'] as SweepKind[]) {
    for (const n of GRID.n) for (const ratio of GRID.r) for (const p of GRID.p) for (const seed of kind === 'theory' || kind === 'linear' ? [0] : GRID.seeds) {
      const m = hiddenFromRatio(n, ratio);
      const optimum = optimalSymmetricLoss(p, m / n);
      const f = noise[k++ % noise.length];
      const evalLoss = kind === 'theory' ? optimum.loss : kind === 'linear' ? linearLoss(p, m / n) : optimum.loss * f;
      const record: SweepRecord = {
        format: RECORD_FORMAT, key: `${kind}/n=${n}/m=${m}/p=${p}/seed=${seed}`, kind, n, m, ratio, effectiveRatio: m / n, p, seed,
        trainLoss: null, evalLoss, theoryLoss: optimum.loss,
        theory: { a: optimum.a, c: optimum.c, sigma: optimum.sigma, kappa: 0 },
        baselines: { zero: p / 3, constant: p / 3 - p * p / 4, linear: linearLoss(p, m / n) },
        grid, gridId: 'testgrid', seconds: 1, finishedAt: '2026-12-01T10:00:00.000Z',
      };
      if (kind === 'trained') {
        record.training = { steps: 100, stopReason: 'steps', samplesPerSecond: 1, evalSamples: 100, config: { batch: 64 } as never };
        record.statistics = Object.fromEntries(STATISTIC_FIELDS.map((s, i) => [s.name, f * (i + 1) * 1e-3])) as Record<StatisticName, number>;
        record.statistics.offDiagonalMean = -0.01 * f;
        record.statistics.offDiagonalVariance = 0.002 * f;
        record.statistics.diagonalMean = 0.8;
        record.statistics.diagonalDelta = 0.01;
        const counts = Array.from({ length: 20 }, (_, b) => Math.round(100 * Math.exp(-((b - 10) ** 2) / 20)));
        const total = counts.reduce((a, b) => a + b, 0);
        record.histograms = { diagonal: { lo: 0.5, hi: 1.1, counts, total }, offDiagonal: { lo: -0.2, hi: 0.15, counts, total } };
      }
      if (kind === 'rug') record.rug = { fit: 'theory', A: 1, mu: 0, lossStdErr: 1e-5, samples: 1000, rowSet: 0 };
      records.push(record);
    }
  }
  return records;
}

/** A run summary with a decaying loss history of 1,500 steps. */
export function syntheticRun(): RunSummary {
  const steps = 1500;
  const lossHistory = Array.from({ length: steps }, (_, k) => 0.01 * Math.exp(-k / 400) + 0.004 + 1e-4 * Math.sin(k));
  return { nFeatures: 96, nHidden: 24, p: 0.05, perFeatureP: false, lossHistory, evalLoss: 0.0041, steps, batch: 256, seed: 3, date: '2026-12-01T10:00:00Z', source: 'runs/test' };
}

/** Weights of the run's shape: small random W_in, W_out whose product has a diagonal near 0.8, a negative bias. */
export function syntheticWeights(run: RunSummary): ModelWeights {
  const { nFeatures: n, nHidden: m } = run;
  const win = Float32Array.from(testValues(m * n, 11, -0.3, 0.3));
  const wout = Float32Array.from(testValues(n * m, 12, -0.3, 0.3));
  const bias = Float32Array.from(testValues(n, 13, -0.1, 0));
  return { nFeatures: n, nHidden: m, win, wout, bias };
}
