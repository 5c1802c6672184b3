// PNG encoder: checksums, zlib streams any inflater reads (fixed Huffman and stored), decodable files.
import { describe, expect, test } from 'vitest';
import { deflateSync, inflateSync } from 'node:zlib';
import { adler32, createRaster, encodePng, zlibCompress, type Raster } from '../../src/plot/png.js';
import { crc32 } from '../../src/io/crc32.js';
import { divergingColour, DIVERGING_STOPS } from '../../src/plot/colormap.js';
import { testValues } from '../helpers.js';
import { decodePng } from './pngDecode.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('checksums', () => {
  test('CRC-32 and Adler-32 known answers', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(adler32(ascii('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(0))).toBe(1);
    const long = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff); // past the 5552-byte modulo runs
    expect(adler32(long)).toBe(nodeAdler32(long));
  });
});

/** Adler-32 read back from the trailer of node's own zlib stream. */
function nodeAdler32(data: Uint8Array): number {
  const z = deflateSync(data);
  return z.readUInt32BE(z.length - 4);
}

describe('zlib stream', () => {
  const inputs: Record<string, Uint8Array> = {
    empty: new Uint8Array(0),
    short: ascii('abc'),
    repetitive: Uint8Array.from({ length: 200_000 }, (_, i) => ((i % 37) * 7 + ((i / 1000) | 0)) & 0xff),
    runs: new Uint8Array(70_000).fill(42),
    noise: Uint8Array.from(testValues(90_000, 5, 0, 256), (v) => v),
  };
  for (const [name, data] of Object.entries(inputs)) {
    test(`${name}: inflateSync recovers the bytes (compressed and stored)`, () => {
      for (const compress of [true, false]) {
        const z = zlibCompress(data, compress);
        expect(Buffer.from(inflateSync(z)).equals(Buffer.from(data))).toBe(true);
      }
    });
  }
  test('compresses repetitive data', () => {
    expect(zlibCompress(inputs.repetitive).length).toBeLessThan(inputs.repetitive.length / 10);
  });
});

/** Fills [x, x + w) x [y, y + h), clipped. */
function fillRect(raster: Raster, x: number, y: number, w: number, h: number, colour: readonly number[]): void {
  for (let row = Math.max(0, y); row < Math.min(raster.height, y + h); row++) {
    for (let col = Math.max(0, x); col < Math.min(raster.width, x + w); col++) {
      for (let c = 0; c < raster.channels; c++) raster.data[(row * raster.width + col) * raster.channels + c] = colour[c];
    }
  }
}

describe('encodePng', () => {
  test.each([[3, true], [4, false], [3, false]] as const)('channels %i, compress %s: decodes with the right size and pixels', (channels, compress) => {
    const raster = createRaster(37, 21, channels);
    fillRect(raster, 3, 4, 5, 6, [200, 10, 20, 128]);
    fillRect(raster, 30, 0, 100, 100, [0, 0, 255, 255]);
    const png = decodePng(encodePng(raster, { compress }));
    expect([png.width, png.height, png.channels]).toEqual([37, 21, channels]);
    expect(png.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(png.pixel(0, 0)).toEqual(channels === 3 ? [255, 255, 255] : [255, 255, 255, 255]);
    expect(png.pixel(3, 4).slice(0, 3)).toEqual([200, 10, 20]);
    expect(png.pixel(7, 9).slice(0, 3)).toEqual([200, 10, 20]);
    expect(png.pixel(8, 9).slice(0, 3)).toEqual([255, 255, 255]);
    expect(png.pixel(36, 20).slice(0, 3)).toEqual([0, 0, 255]);
    if (channels === 4) expect(png.pixel(3, 4)[3]).toBe(128);
  });
});

describe('divergingColour', () => {
  test('symmetric map: -limit dark blue, 0 near white, +limit dark red, clipped beyond', () => {
    expect(divergingColour(-2, 2)).toEqual([...DIVERGING_STOPS[0]]);
    expect(divergingColour(0, 2)).toEqual([247, 247, 247]);
    expect(divergingColour(2, 2)).toEqual([...DIVERGING_STOPS[10]]);
    expect(divergingColour(9, 2)).toEqual([103, 0, 31]);
    expect(divergingColour(NaN, 1)).toEqual([128, 128, 128]);
  });
});
