// Rows of W = W_out W_in (docs/theory.md §2) with the per-row sums the model statistics need, in one pass.
//
// Layout: wout f32[nFeatures * hiddenStride] (row i = row i of W_out; any stride >= nHidden);
//   win f32[nHidden * featureStride] (row k = row k of W_in, featureStride a multiple of 8, padding 0);
//   out f32[rowCount * featureStride] (row r = row firstRow + r of W; padding comes out 0), also the partial sums;
//   stats f64[rowCount * WEIGHT_ROW_STATS], overwritten; row r holds, for i = firstRow + r and j != i:
//     [0] W_ii  [1] sum W_ij  [2] sum W_ij^2  [3] sum |W_ij|^3  [4] sum W_ij^3  [5] sum W_ij^4  [6..15] 0
//   (while the row is formed, slots 0..9 hold five f64x2 partial sums and slot 10 the diagonal).
// Arithmetic: W_ij = sum_k W_out[i, k] W_in[k, j] in f32 (relative error ~ sqrt(nHidden) 2^-24 of
// sum_k |terms|), each W_ij widened to f64 for the sums. Padding columns contribute 0 to every sum.
// Cost: 4 x 8 register tiles (4 rows x 8 columns) over k, nHidden f32x4 mul+add pairs per 4 entries;
// the sums add O(1) per entry.

/** f64 slots per row of stats. */
export const WEIGHT_ROW_STATS: i32 = 16;

// @ts-ignore: decorator
@inline function lane(v: v128, l: i32): f32 {
  return l == 0 ? f32x4.extract_lane(v, 0) : l == 1 ? f32x4.extract_lane(v, 1) : l == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

/** acc[0..4] (f64x2 each) += x, x^2, |x|^3, x^3, x^4 lane-wise. */
// @ts-ignore: decorator
@inline function addPowers(acc: usize, x: v128): void {
  const x2 = f64x2.mul(x, x);
  const x3 = f64x2.mul(x2, x);
  v128.store(acc, f64x2.add(v128.load(acc), x));
  v128.store(acc, f64x2.add(v128.load(acc, 16), x2), 16);
  v128.store(acc, f64x2.add(v128.load(acc, 32), f64x2.abs(x3)), 32);
  v128.store(acc, f64x2.add(v128.load(acc, 48), x3), 48);
  v128.store(acc, f64x2.add(v128.load(acc, 64), f64x2.mul(x2, x2)), 64);
}

/**
 * Adds the 8 entries W[i, j .. j + 7] (lo = columns j..j+3, hi = j+4..j+7) to row i's partial sums at `acc`;
 * the diagonal entry (column i, if in range) is recorded in acc[10] and left out of the sums.
 */
// @ts-ignore: decorator
@inline function accumulateTile(acc: usize, i: i32, j: i32, lo: v128, hi: v128): void {
  const offset = i - j;
  if (<u32>offset < 8) {
    const l = offset & 3;
    const column = i32x4.splat(l);
    const mask = i32x4.eq(column, i32x4(0, 1, 2, 3));
    if (offset < 4) {
      store<f64>(acc, <f64>lane(lo, l), 80);
      lo = v128.andnot(lo, mask);
    } else {
      store<f64>(acc, <f64>lane(hi, l), 80);
      hi = v128.andnot(hi, mask);
    }
  }
  addPowers(acc, f64x2.promote_low_f32x4(lo));
  addPowers(acc, f64x2.promote_low_f32x4(v128.shuffle<f32>(lo, lo, 2, 3, 2, 3)));
  addPowers(acc, f64x2.promote_low_f32x4(hi));
  addPowers(acc, f64x2.promote_low_f32x4(v128.shuffle<f32>(hi, hi, 2, 3, 2, 3)));
}

/** Row sums from the partials: slots [0..5] = W_ii, then the lane sums of the five f64x2 partials; [6..15] = 0. */
// @ts-ignore: decorator
@inline function finishRow(acc: usize): void {
  const diagonal = load<f64>(acc, 80);
  const s1 = f64x2.extract_lane(v128.load(acc), 0) + f64x2.extract_lane(v128.load(acc), 1);
  const s2 = f64x2.extract_lane(v128.load(acc, 16), 0) + f64x2.extract_lane(v128.load(acc, 16), 1);
  const s3a = f64x2.extract_lane(v128.load(acc, 32), 0) + f64x2.extract_lane(v128.load(acc, 32), 1);
  const s3 = f64x2.extract_lane(v128.load(acc, 48), 0) + f64x2.extract_lane(v128.load(acc, 48), 1);
  const s4 = f64x2.extract_lane(v128.load(acc, 64), 0) + f64x2.extract_lane(v128.load(acc, 64), 1);
  memory.fill(acc, 0, <usize>WEIGHT_ROW_STATS << 3);
  store<f64>(acc, diagonal);
  store<f64>(acc, s1, 8);
  store<f64>(acc, s2, 16);
  store<f64>(acc, s3a, 24);
  store<f64>(acc, s3, 32);
  store<f64>(acc, s4, 40);
}

/**
 * Rows of W_in per cache block: a block's 8-column strip (KC x 32 bytes, KC cache lines) stays in L1 while every
 * row strip uses it. Measured at n = 8192, m = 6553 (node 20, one thread): KC = 64, 128, 256, 512 gave 28, 32, 34,
 * 29 GFLOP/s.
 */
const KC: i32 = 256;

/** One 4 x 8 tile (rows a0..a3 of W_out, columns j..j+7) over k in [k0, k1), added to out (zero first when k0 = 0). */
// @ts-ignore: decorator
@inline function tile4(
  a0: usize, aRow: usize, w: usize, wRow: usize, k0: i32, k1: i32, o0: usize, oRow: usize, first: bool,
  s0: usize, statRow: usize, i: i32, j: i32, last: bool,
): void {
  const a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
  const o1 = o0 + oRow, o2 = o1 + oRow, o3 = o2 + oRow;
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (!first) {
    c00 = v128.load(o0); c01 = v128.load(o0, 16);
    c10 = v128.load(o1); c11 = v128.load(o1, 16);
    c20 = v128.load(o2); c21 = v128.load(o2, 16);
    c30 = v128.load(o3); c31 = v128.load(o3, 16);
  }
  for (let k = <usize>k0; k < <usize>k1; k++, w += wRow) {
    const w0 = v128.load(w), w1 = v128.load(w, 16);
    const k4 = k << 2;
    let s = v128.load32_splat(a0 + k4);
    c00 = f32x4.add(c00, f32x4.mul(s, w0)); c01 = f32x4.add(c01, f32x4.mul(s, w1));
    s = v128.load32_splat(a1 + k4);
    c10 = f32x4.add(c10, f32x4.mul(s, w0)); c11 = f32x4.add(c11, f32x4.mul(s, w1));
    s = v128.load32_splat(a2 + k4);
    c20 = f32x4.add(c20, f32x4.mul(s, w0)); c21 = f32x4.add(c21, f32x4.mul(s, w1));
    s = v128.load32_splat(a3 + k4);
    c30 = f32x4.add(c30, f32x4.mul(s, w0)); c31 = f32x4.add(c31, f32x4.mul(s, w1));
  }
  v128.store(o0, c00); v128.store(o0, c01, 16);
  v128.store(o1, c10); v128.store(o1, c11, 16);
  v128.store(o2, c20); v128.store(o2, c21, 16);
  v128.store(o3, c30); v128.store(o3, c31, 16);
  if (last) {
    accumulateTile(s0, i, j, c00, c01);
    accumulateTile(s0 + statRow, i + 1, j, c10, c11);
    accumulateTile(s0 + 2 * statRow, i + 2, j, c20, c21);
    accumulateTile(s0 + 3 * statRow, i + 3, j, c30, c31);
  }
}

/** One 1 x 8 tile (the rows left over after the 4-row strips). */
// @ts-ignore: decorator
@inline function tile1(
  a0: usize, w: usize, wRow: usize, k0: i32, k1: i32, o0: usize, first: bool, s0: usize, i: i32, j: i32, last: bool,
): void {
  let c00 = f32x4.splat(0), c01 = c00;
  if (!first) {
    c00 = v128.load(o0); c01 = v128.load(o0, 16);
  }
  for (let k = <usize>k0; k < <usize>k1; k++, w += wRow) {
    const s = v128.load32_splat(a0 + (k << 2));
    c00 = f32x4.add(c00, f32x4.mul(s, v128.load(w)));
    c01 = f32x4.add(c01, f32x4.mul(s, v128.load(w, 16)));
  }
  v128.store(o0, c00); v128.store(o0, c01, 16);
  if (last) accumulateTile(s0, i, j, c00, c01);
}

/**
 * Rows firstRow .. firstRow + rowCount - 1 of W = W_out W_in (all featureStride columns) into out and their
 * sums into stats; layouts above. Needs 1 <= nHidden, firstRow + rowCount <= nFeatures <= featureStride.
 * Blocked over k (KC rows of W_in at a time, partial rows kept in out) so that W_in is read from memory once
 * per call, not once per 4 rows: callers pass blocks of ~64-256 rows. The sums are taken from the tiles of the
 * last k block, while they are in registers.
 */
export function weightRows(
  firstRow: i32, rowCount: i32, nHidden: i32, hiddenStride: i32, featureStride: i32,
  woutPtr: usize, winPtr: usize, outPtr: usize, statsPtr: usize,
): void {
  const statRow = <usize>WEIGHT_ROW_STATS << 3;
  memory.fill(statsPtr, 0, <usize>rowCount * statRow);
  const aRow = <usize>hiddenStride << 2;
  const wRow = <usize>featureStride << 2;
  const strips = rowCount & ~3;
  for (let k0 = 0; k0 < nHidden; k0 += KC) {
    const k1 = min(k0 + KC, nHidden);
    const first = k0 == 0, last = k1 == nHidden;
    const w = winPtr + <usize>k0 * wRow;
    for (let j = 0; j < featureStride; j += 8) {
      const column = <usize>j << 2;
      for (let r = 0; r < strips; r += 4) {
        const i = firstRow + r;
        tile4(woutPtr + <usize>i * aRow, aRow, w + column, wRow, k0, k1, outPtr + <usize>r * wRow + column, wRow, first,
          statsPtr + <usize>r * statRow, statRow, i, j, last);
      }
      for (let r = strips; r < rowCount; r++) {
        const i = firstRow + r;
        tile1(woutPtr + <usize>i * aRow, w + column, wRow, k0, k1, outPtr + <usize>r * wRow + column, first,
          statsPtr + <usize>r * statRow, i, j, last);
      }
    }
  }
  for (let r = 0; r < rowCount; r++) finishRow(statsPtr + <usize>r * statRow);
}
