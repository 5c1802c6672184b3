// Damaged files: truncated or corrupted weights, checkpoints, run.json and JSON Lines results. Readers throw an
// error naming the file and what is wrong (never a half-loaded model); the CLI exits 2 with one line and writes nothing.
import { beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, readCheckpoint } from '../../src/io/checkpoint.js';
import { readWeights, weightTensors } from '../../src/io/runRecord.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import type { TrainCheckpoint } from '../../src/api.js';
import { expectRefused, runMain } from './cli.js';

let base: string;
let run: string;
let checkpoint: TrainCheckpoint;
let checkpointBytes: Uint8Array;
let weightBytes: Uint8Array;
let results: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'pr-hostile-'));
  run = join(base, 'run');
  const trained = await runMain(['train', '--n', '16', '--m', '4', '--steps', '30', '--batch', '32', '--eval-samples', '256', '--threads', '1', '--checkpoint-every', '10', '--out', run]);
  expect(trained.code).toBe(0);
  weightBytes = new Uint8Array(await readFile(join(run, 'weights.safetensors')));
  checkpointBytes = new Uint8Array(await readFile(join(run, 'checkpoint.safetensors')));
  checkpoint = await readCheckpoint(join(run, 'checkpoint.safetensors'));
  results = join(base, 'results.jsonl');
  expect((await runMain(['sweep', '--kind', 'theory,linear', '--n', '64', '--r', '0.25,0.5', '--p', '0.05,0.1', '--out', results])).code).toBe(0);
});

/** A copy of the run directory with one file replaced. */
async function damagedRun(name: string, file: string, bytes: Uint8Array | string): Promise<string> {
  const dir = join(base, name);
  await cp(run, dir, { recursive: true });
  await writeFile(join(dir, file), bytes);
  return dir;
}

/** Refused (see expectRefused in cli.ts) with one line that names `file` and matches `what`. */
const refusedNaming = (argv: string[], file: string, what: RegExp, watch: string) => expectRefused(argv, watch, file, what);

const flip = (bytes: Uint8Array, at: number, mask = 0x01): Uint8Array => { const b = bytes.slice(); b[at] ^= mask; return b; };

describe('weights.safetensors', () => {
  const damages: Array<[string, () => Uint8Array, RegExp]> = [
    ['empty', () => new Uint8Array(0), /0 bytes is too short for a safetensors header/],
    ['cut inside the header', () => weightBytes.subarray(0, 40), /header length \d+ exceeds the file/],
    ['cut inside the data', () => weightBytes.subarray(0, weightBytes.length - 7), /truncated or corrupted/],
    ['a data byte flipped', () => flip(weightBytes, weightBytes.length - 9), /do not match their checksum .* corrupted/],
    ['a header byte changed', () => { const b = weightBytes.slice(); const at = Buffer.from(b).indexOf('decoder.bias'); b[at] = 'D'.charCodeAt(0); return b; }, /do not match their checksum|needs tensors/],
    ['trailing bytes', () => Uint8Array.from([...weightBytes, 1, 2, 3, 4]), /4 bytes after the last tensor/],
    ['header not an object', () => encodeRaw('[1,2,3]'), /header is not a JSON object/],
    ['random bytes', () => Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff), /exceeds the file|not valid JSON/],
    ['a NaN weight (valid checksum)', () => encodeSafetensors(weightTensors({ nFeatures: 2, nHidden: 1, win: Float32Array.from([1, NaN]), wout: Float32Array.from([1, 1]), bias: Float32Array.from([0, 0]) }), {}, { checksum: true }), /encoder.weight\[1\] = NaN is not finite/],
    ['shapes that do not fit', () => encodeSafetensors({ 'encoder.weight': { shape: [2, 3], data: new Float32Array(6) }, 'decoder.weight': { shape: [2, 3], data: new Float32Array(6) }, 'decoder.bias': { shape: [3], data: new Float32Array(3) } }), /do not fit together/],
  ];

  test.each(damages)('%s: readWeights names the file and the damage', async (name, make, what) => {
    const path = join(base, `w-${name.replace(/\W+/g, '-')}.safetensors`);
    await writeFile(path, make());
    await expect(readWeights(path)).rejects.toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*`));
    await expect(readWeights(path)).rejects.toThrow(what);
  });

  test('rug --trained and measure refuse a damaged run directory with one line, exit 2', async () => {
    const dir = await damagedRun('bad-weights', 'weights.safetensors', flip(weightBytes, weightBytes.length - 9));
    await refusedNaming(['rug', '--n', '16', '--m', '4', '--p', '0.1', '--png', join(base, 'never.png'), '--trained', dir], 'weights.safetensors', /checksum/, base);
    await refusedNaming(['measure', dir], 'weights.safetensors', /checksum|corrupted/, dir);
    const cut = await damagedRun('cut-weights', 'weights.safetensors', weightBytes.subarray(0, 100));
    await refusedNaming(['measure', cut], 'weights.safetensors', /truncated|exceeds/, cut);
  });
});

function encodeRaw(header: string): Uint8Array {
  const text = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + text.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

describe('checkpoint.safetensors', () => {
  test('any truncation is refused, naming the file', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: checkpointBytes.length - 1 }), (length) => {
      expect(() => decodeCheckpoint(checkpointBytes.subarray(0, length), 'ck.st')).toThrow(/^ck\.st: /);
    }), { numRuns: 60 });
  });

  test('any changed byte is refused, or (JSON whitespace) leaves the content identical: never a different model', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: checkpointBytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      let decoded: TrainCheckpoint;
      try {
        decoded = decodeCheckpoint(flip(checkpointBytes, at, mask), 'ck.st');
      } catch (error) {
        expect((error as Error).message).toMatch(/^ck\.st: /);
        return;
      }
      expect(decoded).toEqual(checkpoint);
    }), { numRuns: 120 });
  });

  test('wrong content with a valid checksum is still refused: bad config, non-finite values, inconsistent step', () => {
    const bad = (c: Partial<TrainCheckpoint>) => encodeCheckpoint({ ...checkpoint, ...c });
    expect(() => decodeCheckpoint(bad({ config: { ...checkpoint.config, nFeatures: -3 } }), 'ck.st')).toThrow(/^ck\.st: checkpoint\.config is not valid: nFeatures \(--n\) = -3.*; the file is corrupted$/);
    expect(() => decodeCheckpoint(bad({ lossHistory: checkpoint.lossHistory.slice(1) }), 'ck.st')).toThrow(/^ck\.st: checkpoint\.lossHistory has 29 losses; step 30 needs 30; the file is corrupted$/);
    const { tensors, metadata: stored } = decodeSafetensors(checkpointBytes);
    const { dataCrc32: _old, ...metadata } = stored; // the re-encoding writes its own checksum
    // n and m swapped in every tensor (consistent among themselves; the config says n 16, m 4)
    const swapped = Object.fromEntries(Object.entries(tensors).map(([key, t]) => [key, key.includes('bias') ? { shape: [4], data: t.data.slice(0, 4) } : { shape: [...t.shape].reverse(), data: t.data }]));
    expect(() => decodeCheckpoint(encodeSafetensors(swapped, metadata, { checksum: true }), 'ck.st')).toThrow(/^ck\.st: checkpoint\.weights are 16 x 4 \(nHidden x nFeatures\); the config needs 4 x 16; the file is corrupted$/);
    // one Adam tensor of another shape than the weights it belongs to
    const shortMoment = encodeSafetensors({ ...tensors, 'adam.decoder.bias.moment': { shape: [15], data: new Float32Array(15) } }, metadata, { checksum: true });
    expect(() => decodeCheckpoint(shortMoment, 'ck.st')).toThrow(/^ck\.st: tensor adam\.decoder\.bias\.moment has shape \[15\], expected \[16\] as encoder\.weight is \[4, 16\]$/);
    const noStep = encodeSafetensors(tensors, { ...metadata, step: 'x' }, { checksum: true });
    expect(() => decodeCheckpoint(noStep, 'ck.st')).toThrow(/^ck\.st: checkpoint\.step = NaN is not an integer >= 0; the file is corrupted$/);
    const win = checkpoint.weights.win.slice(); win[3] = Infinity;
    expect(() => decodeCheckpoint(bad({ weights: { ...checkpoint.weights, win } }), 'ck.st')).toThrow(/^ck\.st: checkpoint\.weights\.win\[3\] = Infinity is not finite/);
  });

  test('train --resume of a damaged checkpoint: exit 2, one line naming the file, the checkpoint untouched', async () => {
    for (const [name, bytes, what] of [
      ['cut', checkpointBytes.subarray(0, checkpointBytes.length >> 1), /truncated|exceeds/],
      ['flipped', flip(checkpointBytes, checkpointBytes.length - 5, 0x40), /checksum/],
      ['empty', new Uint8Array(0), /too short/],
    ] as const) {
      const dir = await damagedRun(`ck-${name}`, 'checkpoint.safetensors', bytes);
      await refusedNaming(['train', '--resume', dir], 'checkpoint.safetensors', what, dir);
      expect(Buffer.compare(await readFile(join(dir, 'checkpoint.safetensors')), Buffer.from(bytes))).toBe(0);
    }
  });
});

describe('run.json (read by measure)', () => {
  test.each([
    ['truncated', (t: string) => t.slice(0, t.length >> 1), /not valid JSON/],
    ['empty', () => '', /not valid JSON/],
    ['not a run record', () => '[1, 2, 3]', /has no "config" object/],
    ['wrong types', (t: string) => t.replace(/"nFeatures": 16/, '"nFeatures": "sixteen"'), /config.nFeatures = "sixteen" is not an integer/],
    ['binary', () => '\u0000\u0001\u00ff\u00fe', /not valid JSON/],
  ] as const)('%s: measure exits 2 with one line', async (name, damage, what) => {
    const text = await readFile(join(run, 'run.json'), 'utf8');
    const dir = await damagedRun(`runjson-${name}`, 'run.json', damage(text));
    await refusedNaming(['measure', dir], 'run.json', what, dir);
  });
});

describe('JSON Lines results', () => {
  const damages: Array<[string, (text: string) => string | Uint8Array, RegExp]> = [
    ['binary garbage', () => Uint8Array.from({ length: 200 }, (_, i) => (i * 97 + 13) & 0xff), /not UTF-8 text|not the start of a .* record|is not a persian-rug\/sweep\/1 record/],
    ['a corrupted middle line', (t) => { const l = t.split('\n'); l[1] = l[1].slice(0, 30) + '#' + l[1].slice(31); return l.join('\n'); }, /line 2 is not a persian-rug\/sweep\/1 record/],
    ['JSON that is not a record', (t) => '{"format":"other"}\n' + t, /line 1 is not a persian-rug\/sweep\/1 record/],
    ['a last line that is not a cut-off record', (t) => t + 'hello', /the last line \(5 characters, no newline\) is not the start of a persian-rug\/sweep\/1 record/],
  ];

  test.each(damages)('%s: merge, plot and sweep --resume exit 2 with one line, nothing written', async (name, damage, what) => {
    const text = await readFile(results, 'utf8');
    const dir = join(base, `jsonl-${name.replace(/\W+/g, '-')}`);
    await mkdir(dir);
    const file = join(dir, 'damaged.jsonl');
    const bytes = damage(text);
    await writeFile(file, bytes);
    await refusedNaming(['merge', file, '--out', join(dir, 'merged.jsonl')], 'damaged.jsonl', what, dir);
    await refusedNaming(['plot', file, '--out', join(dir, 'figures')], 'damaged.jsonl', what, dir);
    await refusedNaming(['sweep', '--kind', 'theory,linear', '--n', '64', '--r', '0.25,0.5', '--p', '0.05,0.1', '--out', file, '--resume'], 'damaged.jsonl', what, dir);
    expect(Buffer.compare(await readFile(file), Buffer.from(bytes))).toBe(0);
  });

  test('a record cut off mid-write at the end is reported and ignored by merge and plot, removed by sweep --resume', async () => {
    const text = await readFile(results, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const dir = join(base, 'jsonl-cut');
    await mkdir(dir);
    const file = join(dir, 'cut.jsonl');
    await writeFile(file, lines.slice(0, 3).join('\n') + '\n' + lines[3].slice(0, 77));
    const merged = await runMain(['merge', file, '--out', join(dir, 'merged.jsonl')]);
    expect(merged.code).toBe(0);
    expect(merged.err).toEqual([expect.stringMatching(/cut\.jsonl ends in a record cut off mid-write .*; ignored/)]);
    expect((await readFile(join(dir, 'merged.jsonl'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
    const resumed = await runMain(['sweep', '--kind', 'theory,linear', '--n', '64', '--r', '0.25,0.5', '--p', '0.05,0.1', '--out', file, '--resume']);
    expect(resumed.code).toBe(0);
    const keys = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l).key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(lines.length);
  });

  test('decodeSafetensors on arbitrary bytes throws a named Error or decodes; never anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try { decodeSafetensors(bytes, 'x.st'); } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/^x\.st: /);
      }
    }), { numRuns: 200 });
  });
});
