// Run files in memory (the page's download and upload): the same bytes writeRun puts on disk, and back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeRunFiles, encodeRunFiles, RUN_RECORD_FILE, WEIGHTS_FILE } from '../../src/index.js';
import { writeRun } from '../../src/io/runRecord.js';
import { createTrainer } from '../../src/train/trainer.js';

describe('run files in memory', () => {
  test('encodeRunFiles gives the bytes writeRun writes; decodeRunFiles reads them back exactly', async () => {
    const t = await createTrainer({ nFeatures: 16, nHidden: 4, featureProbability: 0.2, batch: 32, steps: 5, threads: 1, evalSamples: 64 });
    const result = await t.run();
    const weights = await t.weights();
    t.dispose();
    const dir = mkdtempSync(join(tmpdir(), 'persian-rug-runfiles-'));
    try {
      await writeRun(dir, result, weights);
      const files = encodeRunFiles(result, weights);
      expect(files[RUN_RECORD_FILE]).toBe(readFileSync(join(dir, RUN_RECORD_FILE), 'utf8'));
      expect(Buffer.from(files[WEIGHTS_FILE]!).equals(readFileSync(join(dir, WEIGHTS_FILE)))).toBe(true);
      const back = decodeRunFiles(files[RUN_RECORD_FILE], files[WEIGHTS_FILE]!);
      expect(back.weights).toEqual(weights);
      expect(back.result.lossHistory).toEqual(result.lossHistory);
      expect(back.result.config).toEqual(result.config);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('mismatched or damaged files are named and explained', async () => {
    const make = async (n: number) => {
      const t = await createTrainer({ nFeatures: n, nHidden: 2, featureProbability: 0.2, batch: 8, steps: 2, threads: 1, evalSamples: 8 });
      const files = encodeRunFiles(await t.run(), await t.weights());
      t.dispose();
      return files;
    };
    const a = await make(8), b = await make(12);
    expect(() => decodeRunFiles(a[RUN_RECORD_FILE], b[WEIGHTS_FILE]!)).toThrow(/weights.safetensors: weights have n = 12, m = 2; run.json says n = 8, m = 2/);
    expect(() => decodeRunFiles('{"format":"x"}', a[WEIGHTS_FILE]!)).toThrow(/run.json: format "x", expected persian-rug\/1/);
    expect(() => decodeRunFiles('nope', a[WEIGHTS_FILE]!)).toThrow(/run.json: not valid JSON/);
    expect(() => decodeRunFiles(a[RUN_RECORD_FILE], a[WEIGHTS_FILE]!.subarray(0, 40))).toThrow(/weights.safetensors: /);
    const badConfig = JSON.stringify({ ...JSON.parse(a[RUN_RECORD_FILE]), config: { nFeatures: -3 } });
    expect(() => decodeRunFiles(badConfig, a[WEIGHTS_FILE]!)).toThrow(/run.json: config is not valid: .*nFeatures/);
  });
});
