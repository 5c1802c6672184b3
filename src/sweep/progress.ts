// The sweep's progress line: cells done, ETA from the cost model scaled by the measured pace, best and worst cell.
import type { Cell, GridSpec } from './grid.js';
import { cellSeconds, formatDuration } from './cost.js';
import type { SweepRecord } from './record.js';

/** Quality of a record for the progress line: its loss over L*(p, m / n) (1 = the symmetric optimum). */
function lossRatio(record: SweepRecord): number {
  return record.evalLoss / record.theoryLoss;
}

export class SweepProgress {
  private doneCost = 0;
  private readonly totalCost: number;
  done = 0;
  failed = 0;
  best: SweepRecord | undefined;
  worst: SweepRecord | undefined;

  /** plannedSeconds: the plan's wall-clock estimate, the ETA until the first cell finishes. */
  constructor(private readonly cells: readonly Cell[], private readonly spec: GridSpec, private readonly startSeconds: number, readonly skipped = 0, private readonly plannedSeconds = NaN) {
    this.totalCost = cells.reduce((t, c) => t + cellSeconds(c, spec), 0);
  }

  get total(): number {
    return this.cells.length;
  }

  record(record: SweepRecord, cell: Cell): void {
    this.done++;
    this.doneCost += cellSeconds(cell, this.spec);
    const ratio = lossRatio(record);
    if (Number.isFinite(ratio) && record.kind !== 'theory') {
      if (!this.best || ratio < lossRatio(this.best)) this.best = record;
      if (!this.worst || ratio > lossRatio(this.worst)) this.worst = record;
    }
  }

  fail(cell: Cell): void {
    this.failed++;
    this.doneCost += cellSeconds(cell, this.spec);
  }

  /** Seconds left: the remaining estimated cost at the pace measured so far. */
  eta(nowSeconds: number): number {
    const elapsed = nowSeconds - this.startSeconds;
    if (this.doneCost <= 0 || elapsed <= 0) return Math.max(0, this.plannedSeconds - Math.max(0, elapsed));
    return (elapsed * (this.totalCost - this.doneCost)) / this.doneCost;
  }

  line(nowSeconds: number): string {
    const elapsed = nowSeconds - this.startSeconds;
    const parts = [`sweep: ${this.done + this.failed}/${this.total} cells`];
    if (this.skipped) parts[0] += ` (+${this.skipped} already done)`;
    if (this.failed) parts.push(`${this.failed} failed`);
    parts.push(`${formatDuration(elapsed)} elapsed`);
    if (this.done + this.failed < this.total) parts.push(`ETA ${formatDuration(this.eta(nowSeconds))}`);
    const show = (r: SweepRecord) => `${r.key} ${lossRatio(r).toFixed(3)} L*`;
    if (this.best) parts.push(`best ${show(this.best)}`);
    if (this.worst && this.worst !== this.best) parts.push(`worst ${show(this.worst)}`);
    return parts.join(', ');
  }
}
