// Dense linear algebra for the rank of W = W_out W_in without forming it: Gram matrices, pivoted Cholesky, Jacobi
// eigenvalues (plain TS, f64; O(n m^2 + m^3)).
import type { WeightFactors } from './weights.js';

/**
 * The rank(W_in) <= m largest singular values of W = W_out W_in, descending (all others are 0; exact zeros may
 * show up as values ~1e-8 sigma_max), with no n x n matrix: with K = W_out^T W_out and
 * B = W_in W_in^T (m x m) and B = G G^T (pivoted Cholesky, pivots below 1e-14 max diag(B) dropped, i.e. singular
 * values of W_in below 1e-7 of the largest), the eigenvalues of G^T K G are those of W^T W. Cyclic Jacobi;
 * eigenvalue error ~ 1e-16 sigma_max^2, so singular values are resolved down to ~1e-8 sigma_max.
 */
export function singularValues(input: WeightFactors): Float64Array {
  const { nFeatures: n, nHidden: m, win, wout } = input;
  const gramOut = new Float64Array(m * m);
  const gramIn = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) {
      const a = wout[i * m + k];
      if (a === 0) continue;
      for (let l = 0; l < m; l++) gramOut[k * m + l] += a * wout[i * m + l];
    }
  }
  for (let k = 0; k < m; k++) {
    for (let l = k; l < m; l++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += win[k * n + j] * win[l * n + j];
      gramIn[k * m + l] = sum;
      gramIn[l * m + k] = sum;
    }
  }
  const factor = pivotedCholesky(gramIn, m, 1e-14);
  const rankIn = factor.length;
  // C = G^T K G, G = columns factor[0..rankIn).
  const kg = factor.map((g) => {
    const out = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      let sum = 0;
      for (let l = 0; l < m; l++) sum += gramOut[k * m + l] * g[l];
      out[k] = sum;
    }
    return out;
  });
  const c = new Float64Array(rankIn * rankIn);
  for (let a = 0; a < rankIn; a++) {
    for (let b = 0; b < rankIn; b++) {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += factor[a][k] * kg[b][k];
      c[a * rankIn + b] = sum;
    }
  }
  const eigenvalues = symmetricEigenvalues(c, rankIn);
  return Float64Array.from(eigenvalues, (e) => Math.sqrt(Math.max(e, 0))).sort().reverse();
}

/** Columns g_k of B ~ sum_k g_k g_k^T for symmetric PSD B (m x m), stopping at pivots <= tolerance max diag(B). */
function pivotedCholesky(b: Float64Array, m: number, tolerance: number): Float64Array[] {
  const residual = new Float64Array(m);
  for (let i = 0; i < m; i++) residual[i] = b[i * m + i];
  const cutoff = tolerance * Math.max(...residual);
  const chosen = new Uint8Array(m);
  const columns: Float64Array[] = [];
  for (let k = 0; k < m; k++) {
    let pivot = -1;
    for (let i = 0; i < m; i++) if (!chosen[i] && (pivot < 0 || residual[i] > residual[pivot])) pivot = i;
    if (pivot < 0 || !(residual[pivot] > cutoff)) break;
    const g = new Float64Array(m);
    const root = Math.sqrt(residual[pivot]);
    g[pivot] = root;
    for (let i = 0; i < m; i++) {
      if (chosen[i] || i === pivot) continue;
      let sum = b[i * m + pivot];
      for (const previous of columns) sum -= previous[i] * previous[pivot];
      g[i] = sum / root;
      residual[i] -= g[i] * g[i];
    }
    chosen[pivot] = 1;
    residual[pivot] = 0;
    columns.push(g);
  }
  return columns;
}

/** Eigenvalues of a symmetric d x d matrix (row-major, overwritten) by cyclic Jacobi rotations. */
export function symmetricEigenvalues(matrix: Float64Array, d: number): Float64Array {
  const a = matrix;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) off += a[i * d + j] * a[i * d + j];
    if (off <= 1e-32 * scale) break;
    for (let pIndex = 0; pIndex < d; pIndex++) {
      for (let q = pIndex + 1; q < d; q++) {
        const apq = a[pIndex * d + q];
        if (apq === 0) continue;
        const app = a[pIndex * d + pIndex];
        const aqq = a[q * d + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + pIndex];
          const akq = a[k * d + q];
          a[k * d + pIndex] = cos * akp - sin * akq;
          a[k * d + q] = sin * akp + cos * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[pIndex * d + k];
          const aqk = a[q * d + k];
          a[pIndex * d + k] = cos * apk - sin * aqk;
          a[q * d + k] = sin * apk + cos * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: d }, (_, i) => a[i * d + i]);
}
