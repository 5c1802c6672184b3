// Checkpoint files: exact round trip (losses as f64), and clear errors for damaged files.
import { describe, expect, test } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/io/checkpoint.js';
import { createTrainer } from '../../src/train/trainer.js';

describe('checkpoint files', () => {
  test('round trip keeps weights, Adam state, step and every loss exactly', async () => {
    const t = await createTrainer({ nFeatures: 12, nHidden: 5, featureProbability: 0.2, batch: 16, steps: 7, threads: 1, evalSamples: 64 });
    await t.run();
    const c = await t.checkpoint();
    const back = decodeCheckpoint(encodeCheckpoint(c), 'c.st');
    expect(back.step).toBe(7);
    expect(back.lossHistory).toEqual(c.lossHistory);
    expect(back.config).toEqual(c.config);
    expect(back.weights).toEqual(c.weights);
    expect(back.adam).toEqual(c.adam);
  });

  test('damaged files are named and explained', async () => {
    const t = await createTrainer({ nFeatures: 8, nHidden: 2, featureProbability: 0.2, batch: 8, steps: 2, threads: 1, evalSamples: 8 });
    await t.run();
    const bytes = encodeCheckpoint(await t.checkpoint());
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 10), 'c.st')).toThrow(/c.st: tensor .* truncated or corrupted/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 3), 'c.st')).toThrow(/c.st: 3 bytes is too short/);
    const at = Buffer.from(bytes).indexOf('"step":"2"');
    expect(at).toBeGreaterThan(0);
    const wrongStep = bytes.slice();
    wrongStep[at + 8] = '3'.charCodeAt(0);
    // the CRC-32 over header and data catches the edit first (test/reliability/hostile.test.ts checks the step rule itself)
    expect(() => decodeCheckpoint(wrongStep, 'c.st')).toThrow(/c.st: the data do not match their checksum/);
  });
});
