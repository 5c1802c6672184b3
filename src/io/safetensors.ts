// safetensors (https://github.com/huggingface/safetensors) for f32 tensors: 8-byte LE header length, JSON header, raw data.

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Serializes named f32 tensors (little-endian) with string metadata. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`tensor ${name}: shape [${t.shape}] holds ${count} values, data has ${t.data.length}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of Object.values(tensors)) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

/** Parses a safetensors file of F32 tensors; throws a clear error on any inconsistency. */
export function decodeSafetensors(bytes: Uint8Array, name = 'safetensors data'): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${name}: ${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw new Error(`${name}: header length ${headerLength} exceeds the file (${bytes.length} bytes); truncated or not safetensors`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new Error(`${name}: header is not valid JSON; corrupted or not safetensors`);
  }
  const dataStart = 8 + headerLength;
  const tensors: Record<string, Tensor> = {};
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const e = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (e.dtype !== 'F32') throw new Error(`${name}: tensor ${key} has dtype ${e.dtype}; only F32 is supported`);
    const [begin, end] = e.data_offsets ?? [];
    const count = Array.isArray(e.shape) ? e.shape.reduce((a, b) => a * b, 1) : NaN;
    if (!Number.isInteger(begin) || !Number.isInteger(end) || end - begin !== 4 * count || dataStart + end > bytes.length) {
      throw new Error(`${name}: tensor ${key} (shape [${e.shape}]) has data offsets [${begin}, ${end}] outside the ${bytes.length - dataStart} data bytes; truncated or corrupted`);
    }
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + begin + 4 * i, true);
    tensors[key] = { shape: e.shape, data };
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}
