// safetensors: round trip, and clear errors for truncated or corrupted files.
import { describe, expect, test } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';

describe('safetensors', () => {
  const tensors = { a: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }, b: { shape: [1], data: Float32Array.from([Math.PI]) } };

  test('round trip keeps names, shapes, values and metadata; header is 8-byte aligned', () => {
    const bytes = encodeSafetensors(tensors, { k: 'v' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ k: 'v' });
    expect(back.tensors.a.shape).toEqual([2, 3]);
    expect(Array.from(back.tensors.a.data)).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(back.tensors.b.data[0]).toBe(Math.fround(Math.PI));
  });

  test('truncated and corrupted files are named and explained', () => {
    const bytes = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(bytes.subarray(0, 5), 'w.st')).toThrow(/w.st: 5 bytes is too short/);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'w.st')).toThrow(/w.st: tensor b .* truncated or corrupted/);
    const bad = bytes.slice();
    bad[9] = 0x7b; bad[10] = 0x7b;
    expect(() => decodeSafetensors(bad, 'w.st')).toThrow(/w.st: header is not valid JSON/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => decodeSafetensors(huge, 'w.st')).toThrow(/header length .* exceeds the file/);
  });
});
