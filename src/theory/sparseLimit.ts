// The p -> 0 limit of L*(p, r) (docs/theory.md §4 "r >> p, p -> 0"), computed where the quadrature optimiser cannot
// resolve a - 1 ~ kappa ln(1/p)^(1/2) next to 1 in f64, down to the smallest positive double.
import { CF_THRESHOLD, reluMoments, scaledTailMoments } from './normal.js';

const LOG_SQRT_2PI = 0.9189385332046728; // ln sqrt(2 pi)

/**
 * J_k(tau) / p for k = 1, 2 (J_k(y) = E[ReLU(Z - y)^k]) without underflow: for tau >= 1.5 as
 * exp(ln phi(tau) - ln p) times the continued-fraction ratios J_k / phi, which never underflow; below, directly.
 * May be +Infinity (p denormal, tau small): the search below only compares such values.
 */
function momentsOverP(tau: number, logP: number, p: number): [number, number] {
  if (tau >= CF_THRESHOLD) {
    const [, j1, j2] = scaledTailMoments(tau);
    const scale = Math.exp(-0.5 * tau * tau - LOG_SQRT_2PI - logP);
    return [scale * j1, scale * j2];
  }
  const [, j1, j2] = reluMoments(tau);
  return [j1 / p, j2 / p];
}

export interface SparseLimitOptimum {
  /** G = L* / (p kappa^2) = 1 + tau^2 / 4 + J_2(tau) / p at the optimal tau */
  scaledLoss: number;
  /** tau = -c / s: the bias in units of the interference scale s = a kappa */
  tau: number;
  /** epsilon = (a - 1) / kappa = 3 tau / 2 */
  epsilon: number;
}

/**
 * Leading order of the symmetric optimum as kappa -> 0 (s = a kappa, c = -tau s, a = 1 + epsilon kappa):
 *   L / (p kappa^2) = J_2(tau) / p + 1 + epsilon^2 / 3 - epsilon tau + tau^2 + O(kappa poly(tau)) + O(p),
 * the off features leaking s^2 J_2(tau), the on features the identity loss (a - 1) u + c plus the noise s^2; the
 * ReLU's cut near u ~ tau s and the (1 - p) factor are the dropped terms. epsilon = 3 tau / 2 minimises the
 * quadratic, leaving g(tau) = 1 + tau^2 / 4 + J_2(tau) / p, convex (g'' = 1/2 + 2 J_0 / p > 0): g' = tau / 2 - 2 J_1 / p
 * is bisected on [0, 64] (g'(64) > 0 for every p >= 5e-324) to f64 resolution. tau ~ sqrt(2 ln(1/p)), so
 * G ~ (1/2) ln(1/p), the paper's g(p). Bounded time: 1100 evaluations at most.
 */
export function sparseLimitOptimum(p: number): SparseLimitOptimum {
  const logP = Math.log(p);
  let lo = 0;
  let hi = 64;
  for (let iteration = 0; iteration < 1100 && hi - lo > 4e-16 * hi; iteration++) {
    const mid = 0.5 * (lo + hi);
    const [j1OverP] = momentsOverP(mid, logP, p);
    if (0.5 * mid - 2 * j1OverP < 0) lo = mid; else hi = mid;
  }
  const tau = 0.5 * (lo + hi);
  const [, j2OverP] = momentsOverP(tau, logP, p);
  return { scaledLoss: 1 + 0.25 * tau * tau + j2OverP, tau, epsilon: 1.5 * tau };
}
