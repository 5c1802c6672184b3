// PNG encoder in plain TS (no node:zlib, runs in browsers; kept for the pixels of W images, which no chart library makes): 8-bit RGB/RGBA, zlib stream of fixed-Huffman LZ77 or stored deflate blocks.
//
// File: signature, IHDR, one IDAT, IEND; each chunk = length (u32 BE), type, data, CRC-32 of type + data.
// Scanlines use filter 0 (none). zlib = header 0x78 0x01, deflate blocks, Adler-32 (BE) of the raw scanlines.
import { crc32 } from '../io/crc32.js';

/** 8-bit image, row-major, `channels` bytes per pixel (3: RGB, 4: RGBA). */
export interface Raster {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

export function createRaster(width: number, height: number, channels: 3 | 4 = 3, fill: readonly number[] = [255, 255, 255, 255]): Raster {
  if (!(Number.isInteger(width) && width >= 1 && Number.isInteger(height) && height >= 1)) {
    throw new RangeError(`raster size ${width} x ${height} is not two integers >= 1`);
  }
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = fill[c];
  return { width, height, channels, data };
}

/** Adler-32 of bytes (zlib's checksum); adler32("Wikipedia") = 0x11E60398. */
export function adler32(bytes: Uint8Array): number {
  let a = 1, b = 0;
  for (let i = 0; i < bytes.length;) {
    const end = Math.min(bytes.length, i + 5552); // largest run without u32 overflow before the modulo
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** LSB-first bit writer (deflate bit order). */
class BitWriter {
  private buffer: Uint8Array;
  private length = 0;
  private bits = 0;
  private count = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(64, capacity));
  }

  write(value: number, width: number): void {
    this.bits |= value << this.count;
    this.count += width;
    while (this.count >= 8) {
      this.byte(this.bits & 0xff);
      this.bits >>>= 8;
      this.count -= 8;
    }
  }

  /** Huffman codes are sent most significant bit first: reverse `width` bits, then write. */
  writeCode(code: number, width: number): void {
    let reversed = 0;
    for (let i = 0; i < width; i++) reversed |= ((code >>> i) & 1) << (width - 1 - i);
    this.write(reversed, width);
  }

  align(): void {
    if (this.count > 0) this.byte(this.bits & 0xff);
    this.bits = 0;
    this.count = 0;
  }

  byte(b: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = b;
  }

  bytes(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.byte(data[i]);
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Deflate length codes 257..285: base lengths and extra bits (RFC 1951 §3.2.5). */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/** Fixed Huffman literal/length code of symbol s (RFC 1951 §3.2.6). */
function writeLiteralLength(out: BitWriter, symbol: number): void {
  if (symbol < 144) out.writeCode(0x30 + symbol, 8);
  else if (symbol < 256) out.writeCode(0x190 + symbol - 144, 9);
  else if (symbol < 280) out.writeCode(symbol - 256, 7);
  else out.writeCode(0xc0 + symbol - 280, 8);
}

function lowerBound(table: readonly number[], value: number): number {
  let i = table.length - 1;
  while (table[i] > value) i--;
  return i;
}

const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 15;
const MAX_CHAIN = 16;

/**
 * Deflate (RFC 1951) of `data`: one fixed-Huffman block, greedy LZ77 over a 32 KiB window with hash
 * chains on 3-byte prefixes (at most 16 candidates per position). Good on the repetitive rasters here
 * (pixels repeated per entry, scanlines repeated per entry row); any inflater decodes it.
 */
function deflateFixed(data: Uint8Array): Uint8Array {
  const out = new BitWriter(data.length / 4 + 64);
  out.write(1, 1); // BFINAL
  out.write(1, 2); // BTYPE = 01, fixed Huffman
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const previous = new Int32Array(WINDOW).fill(-1);
  const hash = (i: number) => (((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & ((1 << HASH_BITS) - 1));
  const insert = (i: number) => {
    if (i + MIN_MATCH > data.length) return;
    const h = hash(i);
    previous[i & (WINDOW - 1)] = head[h];
    head[h] = i;
  };
  let i = 0;
  while (i < data.length) {
    let bestLength = 0, bestDistance = 0;
    if (i + MIN_MATCH <= data.length) {
      let candidate = head[hash(i)];
      const limit = Math.min(MAX_MATCH, data.length - i);
      for (let chain = 0; candidate >= 0 && i - candidate <= WINDOW && chain < MAX_CHAIN; chain++) {
        let length = 0;
        while (length < limit && data[candidate + length] === data[i + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestDistance = i - candidate;
          if (length === limit) break;
        }
        const next = previous[candidate & (WINDOW - 1)];
        if (next >= candidate) break; // overwritten slot: the chain left the window
        candidate = next;
      }
    }
    if (bestLength >= MIN_MATCH) {
      const li = lowerBound(LENGTH_BASE, bestLength);
      writeLiteralLength(out, 257 + li);
      if (LENGTH_EXTRA[li] > 0) out.write(bestLength - LENGTH_BASE[li], LENGTH_EXTRA[li]);
      const di = lowerBound(DISTANCE_BASE, bestDistance);
      out.writeCode(di, 5);
      if (DISTANCE_EXTRA[di] > 0) out.write(bestDistance - DISTANCE_BASE[di], DISTANCE_EXTRA[di]);
      for (let k = 0; k < bestLength; k++) insert(i + k);
      i += bestLength;
    } else {
      writeLiteralLength(out, data[i]);
      insert(i);
      i++;
    }
  }
  writeLiteralLength(out, 256); // end of block
  out.align();
  return out.result();
}

/** Deflate of `data` as stored (uncompressed) blocks of at most 65,535 bytes. */
function deflateStored(data: Uint8Array): Uint8Array {
  const out = new BitWriter(data.length + 5 * Math.ceil(data.length / 65535) + 5);
  let offset = 0;
  do {
    const length = Math.min(65535, data.length - offset);
    const last = offset + length >= data.length;
    out.write(last ? 1 : 0, 1);
    out.write(0, 2);
    out.align();
    out.byte(length & 0xff); out.byte(length >>> 8);
    out.byte(~length & 0xff); out.byte((~length >>> 8) & 0xff);
    out.bytes(data.subarray(offset, offset + length));
    offset += length;
  } while (offset < data.length);
  return out.result();
}

/** zlib stream (RFC 1950): CMF 0x78 (deflate, 32 KiB window), FLG 0x01, deflate data, Adler-32 big-endian. */
export function zlibCompress(data: Uint8Array, compress = true): Uint8Array {
  const body = compress ? deflateFixed(data) : deflateStored(data);
  const out = new Uint8Array(body.length + 6);
  out[0] = 0x78;
  out[1] = 0x01;
  out.set(body, 2);
  const check = adler32(data);
  out[out.length - 4] = check >>> 24;
  out[out.length - 3] = (check >>> 16) & 0xff;
  out[out.length - 2] = (check >>> 8) & 0xff;
  out[out.length - 1] = check & 0xff;
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** PNG bytes of a raster (8-bit, colour type 2 RGB or 6 RGBA, no interlace). compress = false: stored blocks. */
export function encodePng(raster: Raster, options: { compress?: boolean } = {}): Uint8Array {
  const { width, height, channels, data } = raster;
  if (data.length !== width * height * channels) throw new RangeError(`raster data has ${data.length} bytes, expected ${width} x ${height} x ${channels}`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 4 ? 6 : 2;
  const rowBytes = width * channels;
  const scanlines = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) scanlines.set(data.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const parts = [PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', zlibCompress(scanlines, options.compress ?? true)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
