// safetensors (https://github.com/huggingface/safetensors) for f32 tensors: 8-byte LE header length, JSON header, raw data.
import { crc32 } from './crc32.js';

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Metadata key of the CRC-32 (IEEE, hex) written with `checksum` and verified when present: over the header's JSON
 * without this key (as JSON.stringify writes it) followed by the data section, so that a changed byte anywhere
 * (a config digit, a loss, a weight) is detected.
 */
export const CHECKSUM_KEY = 'dataCrc32';

/** CRC-32 of the concatenated parts (crc32.ts), as 8 hex digits. */
function checksum(...parts: Uint8Array[]): string {
  let c = 0;
  for (const bytes of parts) c = crc32(bytes, c);
  return c.toString(16).padStart(8, '0');
}

/**
 * Serializes named f32 tensors (little-endian) with string metadata. With `checksum`, the metadata also holds the
 * CRC-32 of the data section (CHECKSUM_KEY), so that a flipped or zeroed byte anywhere in the data is detected.
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}, options: { checksum?: boolean } = {}): Uint8Array {
  const entries: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`tensor ${name}: shape [${t.shape}] holds ${count} values, data has ${t.data.length}`);
    entries[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  const data = new Uint8Array(offset);
  const dataView = new DataView(data.buffer);
  let at = 0;
  for (const t of Object.values(tensors)) {
    for (let i = 0; i < t.data.length; i++, at += 4) dataView.setFloat32(at, t.data[i], true);
  }
  const meta = options.checksum
    ? { ...metadata, [CHECKSUM_KEY]: checksum(new TextEncoder().encode(JSON.stringify({ __metadata__: metadata, ...entries })), data) }
    : metadata;
  let json = JSON.stringify({ __metadata__: meta, ...entries });
  const headerBytesUnpadded = new TextEncoder().encode(json);
  json += ' '.repeat((8 - ((8 + headerBytesUnpadded.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Parses a safetensors file of F32 tensors; throws an error naming `name` and what is wrong on any inconsistency:
 * short or truncated file, header that is not a JSON object, bad dtype, shape or offsets, holes, overlaps or
 * trailing bytes in the data section, or a CRC-32 (when stored) that does not match the data.
 */
export function decodeSafetensors(bytes: Uint8Array, name = 'safetensors data'): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${name}: ${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw new Error(`${name}: header length ${headerLength} exceeds the file (${bytes.length} bytes); truncated or not safetensors`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new Error(`${name}: header is not valid JSON; corrupted or not safetensors`);
  }
  if (!isObject(header)) throw new Error(`${name}: header is not a JSON object; corrupted or not safetensors`);
  const metadata = header.__metadata__ ?? {};
  if (!isObject(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) {
    throw new Error(`${name}: __metadata__ is not an object of strings; corrupted`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors: Record<string, Tensor> = {};
  const spans: Array<[number, number, string]> = [];
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    if (!isObject(entry)) throw new Error(`${name}: tensor ${key} has no dtype, shape and data_offsets; corrupted`);
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32') throw new Error(`${name}: tensor ${key} has dtype ${JSON.stringify(e.dtype)}; only F32 is supported`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${name}: tensor ${key} has shape ${JSON.stringify(e.shape)}; it must be a list of integers >= 0`);
    }
    const shape = e.shape as number[];
    const [begin, end] = Array.isArray(e.data_offsets) ? e.data_offsets as unknown[] : [];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || (begin as number) < 0 || (end as number) - (begin as number) !== 4 * count || (end as number) > dataLength) {
      throw new Error(`${name}: tensor ${key} (shape [${shape}]) has data offsets [${begin}, ${end}] outside the ${dataLength} data bytes; truncated or corrupted`);
    }
    spans.push([begin as number, end as number, key]);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + (begin as number) + 4 * i, true);
    tensors[key] = { shape, data };
  }
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end, key] of spans) {
    if (begin !== covered) throw new Error(`${name}: tensor ${key} starts at data byte ${begin}, expected ${covered} (a hole or an overlap); corrupted`);
    covered = end;
  }
  if (covered !== dataLength) throw new Error(`${name}: ${dataLength - covered} bytes after the last tensor; corrupted or not safetensors`);
  const stored = (metadata as Record<string, string>)[CHECKSUM_KEY];
  const format = (metadata as Record<string, unknown>).format;
  if (stored === undefined && typeof format === 'string' && format.startsWith('persian-rug')) {
    throw new Error(`${name}: has no ${CHECKSUM_KEY} checksum, which every ${format} file carries; the file was altered or damaged`);
  }
  if (stored !== undefined) {
    const { [CHECKSUM_KEY]: _stored, ...rest } = metadata as Record<string, string>;
    const actual = checksum(new TextEncoder().encode(JSON.stringify({ ...header, __metadata__: rest })), bytes.subarray(dataStart));
    if (stored !== actual) throw new Error(`${name}: the data do not match their checksum (CRC-32 ${actual}, stored ${stored}); the file is corrupted`);
  }
  return { tensors, metadata: metadata as Record<string, string> };
}
