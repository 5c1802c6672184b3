// The TrainConfig schema: defaults, derived values, and one clear error per bad value.
import { describe, expect, test } from 'vitest';
import { ConfigError, parseTrainFlags, resolveTrainConfig, trainHelp, TRAIN_SCHEMA } from '../../src/train/config.js';

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

describe('parseTrainFlags', () => {
  test('maps flags to fields by the schema', () => {
    const { config, extra } = parseTrainFlags(['--n', '256', '--m=32', '--p', '0.1', '--no-bias', '--tied', '--activation', 'gelu', '--json', '--out', 'dir'], { json: 'boolean', out: 'string' });
    expect(config).toEqual({ nFeatures: 256, nHidden: 32, featureProbability: 0.1, bias: false, tied: true, activation: 'gelu' });
    expect(extra).toEqual({ json: true, out: 'dir' });
  });

  test('importance lists and geometric decay', () => {
    expect(parseTrainFlags(['--n', '3', '--importance', 'geometric:0.5'], {}).config.importance).toEqual([1, 0.5, 0.25]);
    expect(parseTrainFlags(['--importance', '1,2,3'], {}).config.importance).toEqual([1, 2, 3]);
  });

  test.each([
    [['--bogus', '1'], /unknown flag --bogus/],
    [['--n'], /--n needs a value/],
    [['--n', 'abc'], /nFeatures \(--n\) = "abc" is not an integer/],
    [['--n', '4', '--n', '5'], /--n is given twice/],
    [['train'], /unexpected argument "train"/],
    [['--tied=maybe'], /a switch takes no value/],
    [['--p', '0.1,x'], /"x" is not a number/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseTrainFlags(argv, {})).toThrow(message);
  });

  test('help lists every schema flag', () => {
    const help = trainHelp([]);
    for (const f of TRAIN_SCHEMA) expect(help).toContain(`--${f.negatedFlag ?? f.flag}`);
  });
});
