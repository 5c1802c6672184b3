// A small PNG decoder for the tests: chunk CRCs (own bitwise CRC-32), IHDR, IDAT through node:zlib, the five row filters.
import { inflateSync } from 'node:zlib';

function bitwiseCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface DecodedPng {
  width: number;
  height: number;
  channels: number;
  chunks: string[];
  pixel(x: number, y: number): number[];
}

export function decodePng(bytes: Uint8Array): DecodedPng {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  signature.forEach((b, i) => { if (bytes[i] !== b) throw new Error(`bad signature byte ${i}`); });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: string[] = [];
  const idat: Uint8Array[] = [];
  let width = 0, height = 0, channels = 0;
  for (let o = 8; o < bytes.length;) {
    const length = view.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    const crc = view.getUint32(o + 8 + length);
    if (crc !== bitwiseCrc32(bytes.subarray(o + 4, o + 8 + length))) throw new Error(`${type}: CRC mismatch`);
    const data = bytes.subarray(o + 8, o + 8 + length);
    chunks.push(type);
    if (type === 'IHDR') {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      if (data[8] !== 8 || data[10] !== 0 || data[11] !== 0 || data[12] !== 0) throw new Error('IHDR: expected 8-bit, deflate, filter 0, no interlace');
      channels = data[9] === 2 ? 3 : data[9] === 6 ? 4 : NaN;
    }
    if (type === 'IDAT') idat.push(data);
    o += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat)); // checks the zlib header and the Adler-32
  const rowBytes = width * channels;
  if (raw.length !== height * (rowBytes + 1)) throw new Error(`IDAT: ${raw.length} bytes, expected ${height * (rowBytes + 1)}`);
  // undo the row filters (PNG spec 9.2): None, Sub, Up, Average, Paeth; bpp = channels bytes
  const pixels = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)];
    if (filter > 4) throw new Error(`row ${y}: filter ${filter}`);
    const src = raw.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const out = pixels.subarray(y * rowBytes, (y + 1) * rowBytes);
    const up = y > 0 ? pixels.subarray((y - 1) * rowBytes, y * rowBytes) : new Uint8Array(rowBytes);
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= channels ? out[i - channels] : 0, b = up[i], c = i >= channels ? up[i - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[i] = (src[i] + predictor) & 0xff;
    }
  }
  return {
    width, height, channels, chunks,
    pixel: (x, y) => Array.from(pixels.subarray(y * rowBytes + x * channels, y * rowBytes + (x + 1) * channels)),
  };
}
