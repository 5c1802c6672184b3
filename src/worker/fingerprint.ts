// A short hash of a model's weights, to compare runs across hosts (node, worker, browser) at a glance.
import type { ModelWeights } from '../api.js';

/**
 * 64-bit fingerprint (16 hex digits) of the bytes of win, wout and bias, in that order, plus the shape:
 * two 32-bit FNV-1a lanes with different offsets and primes. Equal weights, bit for bit -> equal strings.
 */
export function weightsFingerprint(weights: ModelWeights): string {
  let a = 0x811c9dc5, b = 0x01000193 ^ weights.nFeatures ^ (weights.nHidden << 16);
  const feed = (array: Float32Array) => {
    const words = new Uint32Array(array.buffer, array.byteOffset, array.length);
    for (let i = 0; i < words.length; i++) {
      a = Math.imul(a ^ words[i], 0x01000193);
      b = Math.imul(b ^ words[i], 0x5bd1e995) ^ (b >>> 15);
    }
  };
  feed(weights.win); feed(weights.wout); feed(weights.bias);
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The same fingerprint for a loss history (as f64 words). */
export function lossHistoryFingerprint(losses: readonly number[]): string {
  const f64 = Float64Array.from(losses);
  const f32 = new Float32Array(f64.buffer);
  return weightsFingerprint({ nFeatures: losses.length, nHidden: 0, win: f32, wout: new Float32Array(0), bias: new Float32Array(0) });
}
