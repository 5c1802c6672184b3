// High-sparsity asymptotics of L*(p, r) and the MMSE floor of any elementwise activation (docs/theory.md §4).
import { checkFeatureProbability, checkRatio, dataVariance } from './loss.js';
import { normalPdf } from './normal.js';
import { kappaSquared, optimalSymmetricLoss } from './optimum.js';
import { gaussLegendre } from './quadrature.js';

/** g(p) = (1/2) ln(1/p), the leading term of L* / (p kappa^2) as p -> 0. */
export function logFactor(p: number): number {
  checkFeatureProbability(p);
  return 0.5 * (0 - Math.log(p)); // ln(1/p) without forming 1/p, which overflows below p = 5.6e-309
}

/** p kappa^2 g(p) with kappa^2 = (1/r - 1) v(p) and g = logFactor: the asymptotic form of L* for r >> p, p -> 0. */
export function kappaFormLoss(p: number, r: number): number {
  checkRatio(r);
  return p * kappaSquared(p, r) * logFactor(p);
}

/**
 * ((1 - r) / (6 r)) p^2 ln(1/p): kappaFormLoss with v ~ p / 3. The relative correction is
 * O(ln ln(1/p) / ln(1/p)): measured L* / this is 1.22 at p = 1e-2, 0.91 at 1e-7, 0.93 at 1e-20 (r = 0.5).
 */
export function highSparsityLoss(p: number, r: number): number {
  checkFeatureProbability(p);
  checkRatio(r);
  return ((1 - r) / (6 * r)) * p * p * (0 - Math.log(p));
}

/** Measured g: L*(p, r) / (p kappa^2); compare with logFactor(p). r < 1. */
export function effectiveLogFactor(p: number, r: number): number {
  if (r === 1) throw new RangeError('r = 1 is outside (0, 1): kappa = 0');
  return optimalSymmetricLoss(p, r).loss / (p * kappaSquared(p, r));
}

/** Half-width, in standard deviations, beyond which phi is dropped (phi(9) / phi(0) = 2.6e-18). */
const Z_CUT = 9;
const NODES = 16;

/**
 * MMSE of x from t = snr x + Z, x from the data distribution (point mass 1 - p at 0, U[0, 1) with
 * probability p), Z ~ N(0, 1): E[(x - E[x | t])^2].
 *   f(t) = (1 - p) phi(t) + p integral_0^1 phi(t - snr u) du,   m(t) = p integral_0^1 u phi(t - snr u) du / f(t),
 *   MMSE = integral dt [(1 - p) phi(t) m(t)^2 + p integral_0^1 (u - m(t))^2 phi(t - snr u) du]
 * (all terms positive: no cancellation however small the result). t runs over [-9, snr + 9] in panels of
 * width 1 / resolution, the u-integrals over z = t - snr u in [-9, 9] in panels of width <= 1.5 / resolution,
 * 16-point Gauss-Legendre on each; resolution 1 agrees with resolution 4 to < 1e-12 relative (tested).
 * Large snr (small kappa, high sparsity): on t in [T, snr - 9] the off-feature weight (1 - p) phi(t) is below 1e-18 of
 * the on-feature density p / snr (T = sqrt(2 (41.5 + ln(snr / p))) >= 18), so there f(t) Var[x | t] = p / snr^3 (the
 * u-posterior is the N(t / snr, 1 / snr^2) cut at +-9 sd) and that stretch is added in closed form; only
 * [-9, T] and [snr - 9, snr + 9] are integrated. Cost ~ 6000 (min(snr, T) + 36) resolution^2 phi evaluations:
 * bounded for every p >= 5e-324 (T <= 48).
 */
export function mmseLossAtSnr(p: number, snr: number, resolution = 1): number {
  checkFeatureProbability(p);
  if (!(snr >= 0)) throw new RangeError(`snr = ${snr} is outside [0, inf)`);
  if (snr === Infinity) return 0;
  if (snr === 0) return dataVariance(p);
  // Below snr = 1e-4 the linear MMSE v / (1 + snr^2 v) is within 5 snr^4 v (tested at 0.01 and 0.1), under f64
  // resolution, and the u-window of width snr would vanish next to t.
  if (snr < 1e-4) return dataVariance(p) / (1 + snr * snr * dataVariance(p));
  const exponent = 41.5 + Math.log(snr) - Math.log(p);
  const tailStart = exponent > 2 * Z_CUT * Z_CUT ? Math.sqrt(2 * exponent) : 2 * Z_CUT;
  if (tailStart + Z_CUT >= snr - Z_CUT) return integrateT(p, snr, -Z_CUT, snr + Z_CUT, resolution);
  const middle = (snr - Z_CUT - tailStart) * (p / snr / snr / snr);
  return integrateT(p, snr, -Z_CUT, tailStart, resolution) + middle + integrateT(p, snr, snr - Z_CUT, snr + Z_CUT, resolution);
}

/** integral_tLo^tHi f(t) Var[x | t] dt in panels of width <= 1 / resolution (over [-9, snr + 9]: the whole MMSE). */
export function integrateT(p: number, snr: number, tLo: number, tHi: number, resolution: number): number {
  const { nodes, weights } = gaussLegendre(NODES);
  const tPanels = Math.ceil((tHi - tLo) * resolution);
  const tWidth = (tHi - tLo) / tPanels;
  let total = 0;
  for (let q = 0; q < tPanels; q++) {
    for (let i = 0; i < NODES; i++) {
      const t = tLo + (q + 0.5 + 0.5 * nodes[i]) * tWidth;
      total += 0.5 * tWidth * weights[i] * posteriorVarianceDensity(p, snr, t, resolution);
    }
  }
  return total;
}

/** f(t) Var[x | t]: the integrand of mmseLossAtSnr. */
function posteriorVarianceDensity(p: number, snr: number, t: number, resolution: number): number {
  const { nodes, weights } = gaussLegendre(NODES);
  // u = (t - z) / snr in [0, 1]  <=>  z in [t - snr, t]; du = dz / snr.
  const zLo = Math.max(t - snr, -Z_CUT);
  const zHi = Math.min(t, Z_CUT);
  const offWeight = (1 - p) * normalPdf(t);
  if (!(zHi > zLo)) return 0;
  const zPanels = Math.ceil(((zHi - zLo) * resolution) / 1.5);
  const zWidth = (zHi - zLo) / zPanels;
  let mass = 0;
  let first = 0;
  for (let q = 0; q < zPanels; q++) {
    for (let i = 0; i < NODES; i++) {
      const z = zLo + (q + 0.5 + 0.5 * nodes[i]) * zWidth;
      const w = weights[i] * normalPdf(z);
      mass += w;
      first += w * ((t - z) / snr);
    }
  }
  const scale = (0.5 * zWidth * p) / snr;
  const density = offWeight + scale * mass;
  // Both weights underflowed (p / snr below the smallest double, t in the far tail): nothing to add.
  if (!(density > 0)) return 0;
  const mean = (scale * first) / density;
  let centered = 0;
  for (let q = 0; q < zPanels; q++) {
    for (let i = 0; i < NODES; i++) {
      const z = zLo + (q + 0.5 + 0.5 * nodes[i]) * zWidth;
      const d = (t - z) / snr - mean;
      centered += weights[i] * normalPdf(z) * d * d;
    }
  }
  return offWeight * mean * mean + scale * centered;
}

/**
 * MMSE floor for the symmetric pre-activation h = a x + c + s Z of the L* optimum: E[x | h] is invariant under
 * affine maps of h, so only the SNR a / s = 1 / kappa = sqrt(r / ((1 - r) v)) matters (a, c are not needed).
 * r = 1 gives 0. For small kappa it approaches p kappa^2; it never exceeds the linear (1 - r) v.
 */
export function mmseLoss(p: number, r: number, resolution = 1): number {
  checkFeatureProbability(p);
  checkRatio(r);
  if (r === 1) return 0;
  return mmseLossAtSnr(p, 1 / Math.sqrt(kappaSquared(p, r)), resolution);
}
