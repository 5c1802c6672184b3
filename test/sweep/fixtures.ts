// A small sweep grid for the tests: theory/linear cells are instant, trained cells are n <= 64 with 20 steps.
import type { GridSpec } from '../../src/sweep/grid.js';

export function spec(overrides: Partial<GridSpec> = {}): GridSpec {
  return {
    kinds: ['trained', 'theory', 'linear'], n: [32, 64], ratio: [0.1, 0.25, 0.5], p: [0.01, 0.05, 0.2], seeds: [0, 1],
    train: { steps: 20 }, rug: { fit: 'theory', samples: 1000, epochs: 1, rowSets: 1 },
    statistics: { sampleRows: 4, samplesPerRow: 100, maxRankHidden: 16 },
    ...overrides,
  };
}
