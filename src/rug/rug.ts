// The Persian rug of docs/theory.md §5: Sylvester-Hadamard rows S, W_in = H_S, W_out = H_S^T / m, y = ReLU(A (W x + mu)).
import type { ModelWeights } from '../api.js';
import { randomSeed, randomFillU32, streamKey } from '../reference/random.js';
import { walshHadamardTransform } from '../reference/hadamard.js';
import { optimalSymmetricLoss } from '../theory/index.js';

/** Largest order the CLI and the kernels accept (the project's MAX_FEATURES). */
export const MAX_HADAMARD_ORDER = 65536;

/** Throws unless n is a power of two in [2, 65536]. */
export function checkHadamardOrder(n: number, name = 'n'): void {
  if (!(Number.isInteger(n) && n >= 2 && n <= MAX_HADAMARD_ORDER && (n & (n - 1)) === 0)) {
    throw new RangeError(`${name} = ${n} is not a power of two in [2, ${MAX_HADAMARD_ORDER}]`);
  }
}

/** Number of set bits of a u32. */
export function popcount(k: number): number {
  k >>>= 0;
  k -= (k >>> 1) & 0x55555555;
  k = (k & 0x33333333) + ((k >>> 2) & 0x33333333);
  return (Math.imul((k + (k >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** H_kj = (-1)^popcount(k & j). */
export function hadamardEntry(k: number, j: number): number {
  return popcount(k & j) & 1 ? -1 : 1;
}

/** Rows `rows` of the order-n Sylvester-Hadamard matrix: Float32Array [rows.length x n] row-major, entries +-1. */
export function hadamardRows(n: number, rows: ArrayLike<number>): Float32Array {
  checkHadamardOrder(n);
  const out = new Float32Array(rows.length * n);
  for (let r = 0; r < rows.length; r++) for (let j = 0; j < n; j++) out[r * n + j] = hadamardEntry(rows[r], j);
  return out;
}

/** One rug: order n, the m chosen rows S (ascending) and w(k) = (1/m) sum_{s in S} H_sk, so W_ij = w(i ^ j). */
export interface Rug {
  nFeatures: number;
  nHidden: number;
  /** S, ascending. */
  rows: Int32Array;
  /** w = H d, d_k = [k in S] / m (f64, exact up to one division): W_ij = w(i ^ j), w(0) = 1. */
  kernel: Float64Array;
  /** Whether row 0 (all ones) is in S; then every row of W sums to n / m, else to 0. */
  zeroInRows: boolean;
  seed: number;
  rowSet: number;
}

/** Checks m: an integer in [1, n]. */
export function checkHidden(n: number, m: number): void {
  if (!(Number.isInteger(m) && m >= 1 && m <= n)) throw new RangeError(`m = ${m} is not an integer in [1, ${n}]`);
}

/**
 * m distinct rows of [0, n), seeded: stream (seed, 'rug'), counter rowSet; a partial Fisher-Yates over
 * 0..n-1 where step i swaps i with i + floor(u_i (n - i) / 2^32), u_i the i-th u32 of the stream
 * (bias <= n / 2^32 per step). Returned ascending.
 */
export function chooseRows(n: number, m: number, seed: number, rowSet = 0): Int32Array {
  checkHadamardOrder(n);
  checkHidden(n, m);
  const state = new Uint32Array(16);
  const [key0, key1] = streamKey(seed >>> 0, 'rug');
  randomSeed(state, key0, key1, rowSet >>> 0, Math.floor(rowSet / 4294967296) >>> 0);
  const draws = new Uint32Array(m);
  randomFillU32(state, draws, m);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor((draws[i] * (n - i)) / 4294967296);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order.slice(0, m).sort();
}

/** The rug for rows S: computes w = H [k in S] / m with one f64 transform (integer sums, then one division). */
export function rugFromRows(n: number, rows: ArrayLike<number>, seed = 0, rowSet = 0): Rug {
  checkHadamardOrder(n);
  const m = rows.length;
  checkHidden(n, m);
  const indicator = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    const k = rows[r];
    if (!(Number.isInteger(k) && k >= 0 && k < n) || indicator[k] !== 0) throw new RangeError(`rows: ${k} is not a distinct integer in [0, ${n - 1}]`);
    indicator[k] = 1;
  }
  const zeroInRows = indicator[0] === 1;
  walshHadamardTransform(indicator, n);
  for (let k = 0; k < n; k++) indicator[k] /= m;
  return { nFeatures: n, nHidden: m, rows: Int32Array.from(rows).sort(), kernel: indicator, zeroInRows, seed, rowSet };
}

/** A seeded rug: rows from chooseRows(n, m, seed, rowSet). */
export function createRug(n: number, m: number, seed = 0, rowSet = 0): Rug {
  return rugFromRows(n, chooseRows(n, m, seed, rowSet), seed, rowSet);
}

/** W_ij = w(i ^ j). */
export function rugMatrixEntry(rug: Rug, i: number, j: number): number {
  return rug.kernel[i ^ j];
}

/** Top-left rows x cols block of W = H_S^T H_S / m, row-major f64. */
export function rugMatrixBlock(rug: Rug, rows: number, cols = rows): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = rug.kernel[i ^ j];
  return out;
}

/** W_in = H_S (m x n, +-1), W_out = H_S^T / m (n x m), bias 0: PyTorch layouts (ModelWeights). */
export function rugWeights(rug: Rug): ModelWeights {
  const n = rug.nFeatures, m = rug.nHidden;
  const win = hadamardRows(n, rug.rows);
  const wout = new Float32Array(n * m);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) wout[i * m + k] = win[k * n + i] / m;
  return { nFeatures: n, nHidden: m, win, wout, bias: new Float32Array(n) };
}

/** E nu_i = (p / 2) sum_{j != i} W_ij = (p / 2) ((n / m) [0 in S] - 1), the same for every row. */
export function rugInterferenceMean(rug: Rug, p: number): number {
  return (p / 2) * ((rug.zeroInRows ? rug.nFeatures / rug.nHidden : 0) - 1);
}

/** Effective bias of y = ReLU(A (W x + mu)) in the theory's terms: c = A (mu + E nu). */
export function rugEffectiveBias(rug: Rug, p: number, scale: number, shift: number): number {
  return scale * (shift + rugInterferenceMean(rug, p));
}

/** Output scalars of the rug model y = ReLU(A (W x + mu)). */
export interface RugFit {
  /** A: a = A is the diagonal of the effective weights A W. */
  scale: number;
  /** mu: the shift inside the ReLU; the effective bias is c = A (mu + E nu). */
  shift: number;
}

/**
 * The theory's optimum without training (docs/theory.md §4-5): (a, c) of L*(p, r = m / n), A = a,
 * mu = c / A - E nu. a = 0 (possible only when the optimum is the constant output) gives A = 0, mu = 0.
 */
export function theoryRugFit(rug: Rug, p: number): RugFit & { theoryLoss: number; a: number; c: number } {
  const optimum = optimalSymmetricLoss(p, rug.nHidden / rug.nFeatures);
  const scale = optimum.a;
  const shift = scale === 0 ? 0 : optimum.c / scale - rugInterferenceMean(rug, p);
  return { scale, shift, theoryLoss: optimum.loss, a: optimum.a, c: optimum.c };
}
