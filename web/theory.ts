// Theory: the heat map of L*(p, r) over the paper's grid (computed in a worker, cell columns as they come), the numbers
// of a hovered cell, and slices through a chosen cell (loss against r and against p) with baselines and page runs.
import { heatMap, lineChart, type Series } from './charts.js';
import { $, fmt } from './format.js';
import { setParams, viewNumbers } from './state.js';
import { compute, onRunsChanged, pageRuns } from './shared.js';
import type { TheoryPoint } from './compute.js';
import { THEORY_COLOR } from './train.js';

/** The paper's grid: linspace(0.002001, 0.8, 20) for p and r (docs/theory.md §1). */
const GRID = Array.from({ length: 20 }, (_, k) => 0.002001 + (k * (0.8 - 0.002001)) / 19);
/** Slices are drawn at more points, log-spaced, plus the grid's own values. */
const SLICE = [...new Set([...Array.from({ length: 24 }, (_, k) => 0.002001 * (0.8 / 0.002001) ** (k / 23)), ...GRID])].sort((a, b) => a - b);

/** cells[ri][pi] (rows r, columns p); null until computed */
const cells: (TheoryPoint | null)[][] = GRID.map(() => GRID.map(() => null));
let cursor = { row: 10, col: 10 };
let selected: { p: number; r: number } | undefined;
let slices: { vsR: TheoryPoint[]; vsP: TheoryPoint[] } | undefined;

function drawMap(): void {
  const host = $('heatmap');
  host.innerHTML = heatMap({
    xLabel: 'p (feature probability)', yLabel: 'r = m / n', xs: GRID, ys: GRID, log: true, colorLabel: 'L*(p, r)',
    values: cells.map((row) => row.map((c) => c?.loss ?? null)), width: 480, height: 420,
  });
  markCursor();
}

function markCursor(): void {
  const host = $('heatmap');
  for (const rect of host.querySelectorAll('rect.cell.selected')) rect.classList.remove('selected');
  host.querySelector(`rect.cell[data-row="${cursor.row}"][data-col="${cursor.col}"]`)?.classList.add('selected');
}

function readout(c: TheoryPoint | null): void {
  const box = $('theory-hover');
  if (!c) { box.textContent = 'not computed yet'; return; }
  box.innerHTML = `<strong>p = ${fmt(c.p)}, r = ${fmt(c.r)}</strong><br>
    L*(p, r) = ${fmt(c.loss, 6)}<br>
    optimum: a = ${fmt(c.a)}, c = ${fmt(c.c)}, σ = ${fmt(c.sigma)}<br>
    best linear (1 - r) v = ${fmt(c.linear)} (L* / linear ${fmt(c.loss / c.linear, 3)})<br>
    best constant v = ${fmt(c.constant)}<br>
    MMSE floor (any activation) = ${fmt(c.mmse)}`;
  Object.assign(box.dataset, { p: String(c.p), r: String(c.r), loss: String(c.loss), a: String(c.a), c: String(c.c), sigma: String(c.sigma), linear: String(c.linear), mmse: String(c.mmse) });
}

function cellOf(target: EventTarget | null): { row: number; col: number } | null {
  const rect = (target as Element | null)?.closest?.('rect.cell');
  return rect ? { row: Number(rect.getAttribute('data-row')), col: Number(rect.getAttribute('data-col')) } : null;
}

const near = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance * Math.max(a, b);

function drawSlices(): void {
  if (!selected || !slices) return;
  const { p, r } = selected;
  const runs = pageRuns();
  const lines = (points: TheoryPoint[], x: (t: TheoryPoint) => number): Series[] => [
    { label: 'L*', color: THEORY_COLOR, points: points.map((t) => [x(t), t.loss]) },
    { label: 'linear (1 - r) v', color: '#555', dash: '8 4', points: points.map((t) => [x(t), t.linear]) },
    { label: 'constant v', color: '#888', dash: '2 4', points: points.map((t) => [x(t), t.constant]) },
    { label: 'MMSE floor', color: '#2a9d5c', dash: '4 3', points: points.map((t) => [x(t), t.mmse]) },
  ];
  const runsAtP = runs.filter((run) => near(run.p, p, 0.15)).map((run) => [run.m / run.n, run.evalLoss] as const);
  const runsAtR = runs.filter((run) => near(run.m / run.n, r, 0.15)).map((run) => [run.p, run.evalLoss] as const);
  $('theory-vs-r').innerHTML = lineChart({
    title: `loss against r at p = ${fmt(p, 3)}`, xLabel: 'r = m / n', yLabel: 'loss', xLog: true, yLog: true, width: 560, height: 360,
    series: [...lines(slices.vsR, (t) => t.r), ...(runsAtP.length ? [{ label: 'runs in this page', color: '#1f5fbf', points: runsAtP, markers: true, line: false }] : [])],
  });
  $('theory-vs-p').innerHTML = lineChart({
    title: `loss against p at r = ${fmt(r, 3)}`, xLabel: 'p', yLabel: 'loss', xLog: true, yLog: true, width: 560, height: 360,
    series: [...lines(slices.vsP, (t) => t.p), ...(runsAtR.length ? [{ label: 'runs in this page', color: '#1f5fbf', points: runsAtR, markers: true, line: false }] : [])],
  });
  document.body.dataset.theorySlices = `${p},${r}`;
}

async function select(p: number, r: number): Promise<void> {
  selected = { p, r };
  setParams({ view: `${p},${r}` });
  $('theory-status').textContent = `computing the slices through p = ${fmt(p, 3)}, r = ${fmt(r, 3)} ...`;
  const worker = compute('theory');
  const [vsR, vsP] = await Promise.all([worker.theoryRow(p, SLICE), worker.theoryColumn(SLICE, r)]);
  if (selected.p !== p || selected.r !== r) return;
  slices = { vsR, vsP };
  drawSlices();
  $('theory-status').textContent = `slices through p = ${fmt(p, 3)}, r = ${fmt(r, 3)}`;
}

async function fillGrid(): Promise<void> {
  const worker = compute('theory');
  const started = performance.now();
  for (let col = 0; col < GRID.length; col++) {
    const row = await worker.theoryRow(GRID[col], GRID);
    row.forEach((point, ri) => { cells[ri][col] = point; });
    drawMap();
    $('theory-status').textContent = `L*(p, r): ${col + 1} of ${GRID.length} columns (${((performance.now() - started) / 1000).toFixed(1)} s)`;
  }
  $('theory-status').textContent = `L*(p, r) on the paper's ${GRID.length} x ${GRID.length} grid, computed in ${((performance.now() - started) / 1000).toFixed(1)} s in a worker`;
  readout(cells[cursor.row][cursor.col]);
  document.body.dataset.theoryReady = '1';
}

export function setupTheory(): void {
  const host = $('heatmap');
  host.addEventListener('mousemove', (event) => {
    const at = cellOf(event.target);
    if (!at) return;
    cursor = at;
    markCursor();
    readout(cells[at.row][at.col]);
  });
  host.addEventListener('click', (event) => {
    const at = cellOf(event.target);
    if (at) void select(GRID[at.col], GRID[at.row]);
  });
  host.addEventListener('keydown', (event) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [1, 0], ArrowDown: [-1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (event.key in moves) {
      event.preventDefault();
      const [dr, dc] = moves[event.key];
      cursor = { row: Math.max(0, Math.min(GRID.length - 1, cursor.row + dr)), col: Math.max(0, Math.min(GRID.length - 1, cursor.col + dc)) };
      markCursor();
      readout(cells[cursor.row][cursor.col]);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      void select(GRID[cursor.col], GRID[cursor.row]);
    }
  });
  onRunsChanged(drawSlices);
  drawMap();
  const view = viewNumbers(2);
  const start = view && view.every((v) => v > 0 && v <= 1) ? { p: view[0], r: view[1] } : { p: GRID[2], r: GRID[5] };
  void fillGrid().then(() => select(start.p, start.r)).catch((error: unknown) => {
    $('theory-status').textContent = `error: ${(error as Error).message}`;
    console.error(error);
  });
}
