// The paper's stop rule (docs/theory.md §1): stop when the mean of the last `window` step losses is no longer
// below the mean of the `window` before it; checked at epoch ends.

export const STOP_WINDOW = 200;

export function shouldStopTraining(losses: ArrayLike<number>, count: number, window = STOP_WINDOW): boolean {
  if (count < 2 * window) return false;
  let recent = 0, previous = 0;
  for (let i = count - window; i < count; i++) recent += losses[i];
  for (let i = count - 2 * window; i < count - window; i++) previous += losses[i];
  return !(recent < previous);
}
