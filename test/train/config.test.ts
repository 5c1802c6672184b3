// The TrainConfig schema: defaults, derived values, and one clear error per bad value.
import { describe, expect, test } from 'vitest';
import { ConfigError, resolveTrainConfig } from '../../src/train/config.js';

describe('resolveTrainConfig', () => {
  test("defaults are the paper's notebook example", () => {
    const c = resolveTrainConfig({});
    expect(c).toMatchObject({ nFeatures: 512, nHidden: 128, featureProbability: 0.045, batch: 1024, steps: 3000, backend: 'wasm', activation: 'relu', bias: true, tied: false });
    expect(c.lr).toBeCloseTo(3e-3 / Math.sqrt(512), 15);
    expect(c.adamEps).toBe(1e-7);
  });

  test('ratio gives m = max(1, floor(n r))', () => {
    expect(resolveTrainConfig({ nFeatures: 1000, ratio: 0.25 }).nHidden).toBe(250);
    expect(resolveTrainConfig({ nFeatures: 128, ratio: 0.002001 }).nHidden).toBe(1);
  });

  test.each([
    [{ nFeatures: 0 }, /nFeatures \(--n\) = 0 is not an integer in \[1, 65536\]/],
    [{ nFeatures: 12.5 }, /nFeatures \(--n\) = 12.5 is not an integer/],
    [{ nFeatures: NaN }, /nFeatures \(--n\) = NaN/],
    [{ featureProbability: 0 }, /featureProbability \(--p\) = 0 is not a number in \(0, 1\]/],
    [{ featureProbability: 1.5 }, /= 1.5 is not a number in \(0, 1\]/],
    [{ featureProbability: Infinity }, /= Infinity/],
    [{ nFeatures: 8, nHidden: 9 }, /nHidden \(--m\) = 9 .* may not exceed n = 8/],
    [{ nHidden: 4, ratio: 0.5 }, /conflict/],
    [{ steps: 10, epochs: 2 }, /conflict/],
    [{ backend: 'gpu' as never }, /backend \(--backend\) = "gpu" is not one of wasm, js/],
    [{ nFeatures: 4, featureProbability: [0.1, 0.2] }, /has 2 values; it needs 1 or n = 4/],
    [{ seed: -1 }, /seed \(--seed\) = -1 is not an integer in \[0, 4294967295\]/],
    [{ tied: true, freezeIn: true }, /conflict/],
    [{ threads: 3 }, /threads \(--threads\) = 3 is not an integer in \[0, 2\]/],
    [{ bogus: 1 } as never, /unknown config field "bogus"/],
  ])('rejects %o', (input, message) => {
    expect(() => resolveTrainConfig(input)).toThrow(ConfigError);
    expect(() => resolveTrainConfig(input)).toThrow(message);
  });

  test('a resolved config resolves to itself', () => {
    const c = resolveTrainConfig({ nFeatures: 64, ratio: 0.5, epochs: 3 });
    expect(resolveTrainConfig(c)).toEqual(c);
  });
});
