// Bad input to every command: exit 2, one stderr line naming the field, the value and the allowed range, no stack
// trace, nothing written; and the API (createTrainer) refuses the same values with ConfigError before allocating.
import { describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/train/config.js';
import { createTrainer } from '../../src/train/trainer.js';
import { listing, runMain } from './cli.js';

/** [argv after the command, what the one line must say]; OUT is replaced by a fresh path that must stay absent. */
const CASES: Record<string, Array<[string[], RegExp]>> = {
  train: [
    [['--n', '1.5'], /nFeatures \(--n\) = 1\.5 is not an integer in \[1, 65536\]/],
    [['--n', '-4'], /nFeatures \(--n\) = -4 is not an integer in \[1, 65536\]/],
    [['--n', '0'], /nFeatures \(--n\) = 0 is not an integer in \[1, 65536\]/],
    [['--n', 'NaN'], /nFeatures \(--n\) = NaN is not an integer in \[1, 65536\]/],
    [['--n', 'Infinity'], /nFeatures \(--n\) = Infinity is not an integer/],
    [['--n', '0x10'], /nFeatures \(--n\) = "0x10" is not an integer in \[1, 65536\]/],
    [['--p', '0'], /featureProbability \(--p\) = 0 is not a number in \(0, 1\]/],
    [['--p', '1.5'], /featureProbability \(--p\) = 1\.5 is not a number in \(0, 1\]/],
    [['--p', 'nan'], /featureProbability \(--p\) = NaN is not a number in \(0, 1\]/],
    [['--p', '-inf'], /featureProbability \(--p\) = -Infinity is not a number in \(0, 1\]/],
    [['--m', '0'], /nHidden \(--m\) = 0 is not an integer in \[1, 65536\]/],
    [['--n', '8', '--m', '9'], /nHidden \(--m\) = 9 is not an integer in \[1, 8\]/],
    [['--batch', '0'], /batch \(--batch\) = 0 is not an integer in \[1, 65536\]/],
    [['--lr', '-1'], /lr \(--lr\) = -1 is not a number in \(0, 10\]/],
    [['--seed', '4294967296'], /seed \(--seed\) = 4294967296 is not an integer in \[0, 4294967295\]/],
    [['--threads', '3'], /threads \(--threads\) = 3 is not an integer in \[0, 2\]/],
    [['--steps', '2.5'], /steps \(--steps\) = 2\.5 is not an integer in \[1, 1000000000\]/],
    [['--ratio', '0'], /ratio \(--ratio\) = 0 is not a number in \(0, 1\]/],
    [['--m', '5', '--ratio', '0.5'], /nHidden \(--m\) = 5 and ratio \(--ratio\) = 0\.5 conflict/],
    [['--steps', '5', '--epochs', '1'], /steps \(--steps\) = 5 and epochs \(--epochs\) = 1 conflict/],
    [['--tied', '--freeze-in'], /tied \(--tied\) and freezeIn \(--freeze-in\) conflict/],
    [['--importance', '1,2'], /importance \(--importance\) has 2 values; it needs n = 512/],
    [['--n', '1e9', '--importance', 'geometric:0.5'], /nFeatures \(--n\) = 1000000000 is not an integer in \[1, 65536\]/],
    [['--frobnicate', '3'], /unknown flag --frobnicate; known flags: /],
    [['--n', '8', '--n', '8'], /--n is given twice/],
    [['--steps'], /--steps needs a value/],
    [['--tied=maybe'], /--tied=maybe: a switch takes no value/],
    [['--backend', 'gpu'], /backend \(--backend\) = "gpu" is not one of wasm, js/],
    [['--checkpoint-every', '0'], /checkpointEvery \(--checkpoint-every\) = 0 is not an integer in \[1, 1000000000\]/],
    [['--n', '65536', '--m', '65536', '--batch', '65536'], /n = 65536, m = 65536, batch = 65536 needs 336\.03 GiB of wasm memory; the limit is 4 GiB/],
    [['--n', '65536', '--m', '30000', '--backend', 'js'], /needs .* GiB of memory; the limit is 4 GiB/],
  ],
  theory: [
    [['--p', '0', '--r', '0.5'], /featureProbability \(--p\) = 0 is not a number in \(0, 1\]/],
    [['--p', 'nan', '--r', '0.5'], /featureProbability \(--p\) = NaN is not a number in \(0, 1\]/],
    [['--p', '0x1', '--r', '0.5'], /featureProbability \(--p\) = "0x1" is not a number in \(0, 1\]/],
    [['--p', '0.1', '--r', '1.5'], /ratio \(--r\) = 1\.5 is not a number in \(0, 1\]/],
    [['--p', '0.1', '--n', '0', '--m', '1'], /nFeatures \(--n\) = 0 is not an integer in \[1, inf\)/],
    [['--p', '0.1', '--n', '8', '--m', '9'], /nHidden \(--m\) = 9 is not an integer in \[1, 8\]/],
    [['--p', '0.1', '--r', '0.5', '--m', '2', '--n', '8'], /ratio \(--r\) = 0\.5 and nHidden \(--m\) = 2 conflict; give one of them/],
    [['--p', '0.1', '--r', '0.5', '--what'], /unknown flag --what/],
  ],
  rug: [
    [['--n', '12', '--m', '3', '--p', '0.1'], /nFeatures \(--n\) = 12 is not a power of two in \[2, 65536\]/],
    [['--n', '0x10', '--m', '3', '--p', '0.1'], /nFeatures \(--n\) = "0x10" is not an integer in \[2, 65536\]/],
    [['--n', '8', '--m', '0', '--p', '0.1'], /nHidden \(--m\) = 0 is not an integer in \[1, /],
    [['--n', '8', '--m', '2', '--p', '1.01'], /featureProbability \(--p\) = 1\.01 is not a number in \(0, 1\]/],
    [['--n', '8', '--m', '2', '--p', 'Infinity'], /featureProbability \(--p\) = Infinity is not a number in \(0, 1\]/],
    [['--n', '8', '--m', '2', '--ratio', '0.5', '--p', '0.1'], /nHidden \(--m\) = 2 and ratio \(--ratio\) = 0\.5 conflict/],
    [['--n', '8', '--m', '2', '--p', '0.1', '--samples', '1'], /samples \(--samples\) = 1 is not an integer in \[2, 100000000\]/],
    [['--n', '8', '--m', '2', '--p', '0.1', '--png', 'OUT/a.png'], /--png .*: directory .* does not exist/],
    [['--n', '8', '--m', '2', '--p', '0.1', '--bogus', '1'], /unknown flag --bogus/],
  ],
  sweep: [
    [['--r', '0.5', '--p', '0', '--out', 'OUT'], /featureProbability \(--p\) = 0 is not a number in \(0, 1\]/],
    [['--r', '0', '--p', '0.1', '--out', 'OUT'], /ratio \(--r\) = 0 is not a number in \(0, 1\]/],
    [['--n', '1.5', '--r', '0.5', '--p', '0.1', '--out', 'OUT'], /nFeatures \(--n\) = 1\.5 is not an integer in \[1, 65536\]/],
    [['--kind', 'rug', '--n', '12', '--r', '0.5', '--p', '0.1', '--out', 'OUT'], /--kind rug needs every --n to be a power of two >= 2 \(got 12\)/],
    [['--r', '0.5', '--m', '3', '--p', '0.1', '--out', 'OUT'], /ratio \(--r\) = 0\.5 and nHidden \(--m\) = 3 conflict/],
    [['--r', '0.5', '--p', '0.1', '--seeds', '0', '--out', 'OUT'], /seeds \(--seeds\) = 0 is not an integer in \[1, 1000\]/],
    [['--r', '0.5', '--p', '0.1', '--steps', '-1', '--out', 'OUT'], /steps \(--steps\) = -1 is not an integer in \[1, 1000000000\]/],
    [['--r', '0.5', '--p', '0.1', '--n', '65536', '--out', 'OUT'], /n = 65536, m = 32768, batch = 1024 needs .* GiB of wasm memory; the limit is 4 GiB/],
    [['--r', '0.5', '--p', '0.1', '--workers', '0x2', '--out', 'OUT'], /workers \(--workers\) = "0x2" is not an integer in \[0, 256\]/],
    [['--r', '0.5', '--p', '0.1', '--out', 'OUT/x/y.jsonl'], /directory .* does not exist/],
    [['--r', '0.5', '--p', '0.1', '--ratio', '0.5', '--out', 'OUT'], /--ratio: a sweep takes ratios as --r VALUES/],
  ],
  merge: [
    [['OUT.in', '--out', 'OUT'], /out\.in: cannot read the results file \(ENOENT\)/],
    [['--out', 'OUT'], /give at least one results file/],
    [['a.jsonl', '--out', 'OUT', '--bogus'], /unknown flag --bogus/],
    [['a.jsonl', '--out', 'OUT/x/m.jsonl'], /directory .* does not exist/],
    [['a.jsonl', '--out', 'OUT', '--json=1'], /--json=1: a switch takes no value/],
  ],
  plot: [
    [['OUT.in', '--out', 'OUT'], /out\.in: cannot read the results file \(ENOENT\)/],
    [['a.jsonl', '--out', 'OUT', '--format', 'gif'], /format \(--format\) = "gif" is not one of svg, png/],
    [['a.jsonl', '--out', 'OUT', '--at-p', '2'], /atP \(--at-p\) = 2 is not a number in \(0, 1\]/],
  ],
  reproduce: [
    [['--scale', 'huge', '--out', 'OUT'], /scale \(--scale\) = "huge" is not one of small, paper/],
    [['--workers', '-1', '--out', 'OUT'], /workers \(--workers\) = -1 is not an integer in \[0, 256\]/],
    [['--yes=no', '--out', 'OUT'], /--yes=no: a switch takes no value/],
    [['--bogus', '--out', 'OUT'], /unknown flag --bogus/],
  ],
  converge: [
    [['--p', '0', '--r', '0.5'], /featureProbability \(--p\) = 0 is not a number in \(0, 1\]/],
    [['--p', '0.1', '--r', '0.5', '--steps', '0'], /steps \(--steps\) = 0 is not an integer in \[1, 1000000000\]/],
    [['--p', '0.1', '--r', '0.5', '--n', '65536', '--batch', '65536', '--steps', '1'], /needs .* GiB of wasm memory; the limit is 4 GiB/],
    [['--p', '0.1', '--r', '0.5', '--m', '3'], /converge sets nHidden itself/],
    [['--p', '0.1', '--r', '0.5', '--rug-samples', '1'], /rugSamples \(--rug-samples\) = 1 is not an integer in \[2, 100000000\]/],
  ],
  measure: [
    [['OUT'], /no such directory/],
    [['--bogus'], /unknown flag --bogus/],
  ],
};

describe('bad input: exit 2, one line with field, value and range, nothing written', () => {
  for (const [command, cases] of Object.entries(CASES)) {
    test.each(cases)(`${command} %j`, async (args, message) => {
      const base = await mkdtemp(join(tmpdir(), 'pr-bad-'));
      await writeFile(join(base, 'a.jsonl'), '');
      const out = join(base, 'out');
      const argv = args.map((a) => (a === 'a.jsonl' ? join(base, a) : a.replace(/^OUT/, out)));
      const before = await listing(base);
      const r = await runMain([command, ...argv]);
      expect(r.error).toBeUndefined();
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(new RegExp(`^persian-rug ${command}: `));
      expect(r.err[0]).toMatch(message);
      expect(r.err[0]).not.toMatch(/\n|\s+at .*:\d+:\d+/);
      expect(r.out).toEqual([]);
      expect(await listing(base)).toEqual(before);
    });
  }
});

describe('the API refuses the same values with ConfigError, before allocating', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ nFeatures: 0 }, /nFeatures \(--n\) = 0 is not an integer in \[1, 65536\]/],
    [{ nFeatures: 2.5 }, /nFeatures \(--n\) = 2\.5/],
    [{ nFeatures: NaN }, /nFeatures \(--n\) = NaN/],
    [{ featureProbability: Infinity }, /featureProbability \(--p\) = Infinity is not a number in \(0, 1\]/],
    [{ featureProbability: [0.1, 0.2] }, /featureProbability \(--p\) has 2 values; it needs 1 or n = 512/],
    [{ nFeatures: 4, featureProbability: [0.1, 0.2, 0, 0.1] }, /featureProbability \(--p\)\[2\] = 0 is not a number in \(0, 1\]/],
    [{ nFeatures: '512' }, /nFeatures \(--n\) = "512" is not an integer/],
    [{ nHidden: -1 }, /nHidden \(--m\) = -1/],
    [{ batch: 1e6 }, /batch \(--batch\) = 1000000 is not an integer in \[1, 65536\]/],
    [{ nFeature: 10 }, /unknown config field "nFeature"/],
    [{ nFeatures: 65536, nHidden: 65536 }, /needs .* GiB of wasm memory; the limit is 4 GiB/],
    [{ adamBeta1: 0.5 }, /adamBeta1 = 0\.5 is fixed at 0\.9/],
  ];
  test.each(bad)('%j', async (config, message) => {
    const error = await createTrainer(config).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
  test('a config that is not an object', async () => {
    for (const value of [null, [], 3]) {
      await expect(createTrainer(value as never)).rejects.toThrow(/is not an object of TrainConfig fields/);
    }
  });
});

describe('outputs that cannot be written are refused before running', () => {
  test('train --out FILE, sweep --out DIR', async () => {
    const base = await mkdtemp(join(tmpdir(), 'pr-bad-'));
    await writeFile(join(base, 'file'), 'x');
    await mkdir(join(base, 'dir'));
    const train = await runMain(['train', '--n', '8', '--m', '2', '--steps', '1', '--out', join(base, 'file')]);
    expect(train.code).toBe(2);
    expect(train.err).toEqual([expect.stringMatching(/--out .*file is a file; --out takes a directory/)]);
    const sweep = await runMain(['sweep', '--kind', 'theory', '--r', '0.5', '--p', '0.1', '--out', join(base, 'dir'), '--resume']);
    expect(sweep.code).toBe(2);
    expect(sweep.err).toEqual([expect.stringMatching(/--out .*dir is a directory/)]);
  });
});
