// The Persian rug (docs/theory.md §5): build it at n = 64 ... 8192 with m from r, its theory fit (A, mu) and Monte-Carlo loss
// against L*, and the image of W with zoom and pan drawn from W_ij = F(i XOR j) for the visible entries only (never the
// n x n matrix), beside a trained model of the same (n, m, p) at the same view and colour scale.
import { createWorkerTrainer } from 'persian-rug';
import { drawColorbar, drawMatrix } from './matrix.js';
import { $, fmt, grouped } from './format.js';
import { getParam, setParams, viewNumbers } from './state.js';
import { addRun, compute, kernels, pageRuns, type PageRun } from './shared.js';
import type { RugResult } from './compute.js';

const ORDERS = [64, 128, 256, 512, 1024, 2048, 4096, 8192];
/** Canvas side in pixels: at most this many entries per side are drawn (zoomed out, every k-th entry). */
const PIXELS = 512;

let rug: RugResult | undefined;
let rugScale = 1;
let trained: { run: PageRun; key: string; scale: number } | undefined;
let view = { row: 0, col: 0, size: 64 };
let trainedRequest = 0;

const form = () => $<HTMLFormElement>('rug-controls');
const say = (text: string) => { $('rug-status').textContent = text; };

function values(): { n: number; r: number; p: number; seed: number; samples: number } {
  const data = new FormData(form());
  return { n: Number(data.get('n')), r: Number(data.get('r')), p: Number(data.get('p')), seed: Number(data.get('seed')), samples: Number(data.get('samples')) };
}

const hiddenOf = (n: number, r: number) => Math.max(1, Math.min(n, Math.floor(n * r)));

function clampView(): void {
  const n = rug?.n ?? 64;
  view.size = Math.max(8, Math.min(n, view.size));
  view.row = Math.max(0, Math.min(n - view.size, Math.round(view.row)));
  view.col = Math.max(0, Math.min(n - view.size, Math.round(view.col)));
}

function scale(): number {
  return Math.max(rugScale, trained?.scale ?? 0);
}

function draw(): void {
  if (!rug) return;
  clampView();
  const step = Math.max(1, view.size / PIXELS);
  const shown = Math.round(view.size / step);
  const block = new Float32Array(shown * shown);
  const kernel = rug.kernel;
  for (let a = 0; a < shown; a++) {
    const i = view.row + a * step;
    for (let b = 0; b < shown; b++) block[a * shown + b] = kernel[i ^ (view.col + b * step)];
  }
  drawMatrix($<HTMLCanvasElement>('rug-image'), block, shown, shown, scale());
  $('rug-scale-low').textContent = fmt(-scale());
  $('rug-scale-high').textContent = fmt(scale());
  $('rug-view').textContent = `rows ${view.row} - ${view.row + view.size - 1}, columns ${view.col} - ${view.col + view.size - 1}${step > 1 ? ` (every ${step}th entry)` : ''}`;
  setParams({ view: `${view.row},${view.col},${view.size}` });
  document.body.dataset.rugView = `${view.row},${view.col},${view.size}`;
  void drawTrained(step, shown);
}

async function drawTrained(step: number, shown: number): Promise<void> {
  const canvas = $<HTMLCanvasElement>('rug-trained');
  if (!trained) {
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#fff'; g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#777'; g.font = '16px system-ui, sans-serif'; g.textAlign = 'center';
    g.fillText('no trained model of this (n, m, p) yet', canvas.width / 2, canvas.height / 2);
    return;
  }
  const request = ++trainedRequest;
  const block = await compute('rug').modelBlock(trained.key, view.row, view.col, shown, step);
  if (request !== trainedRequest) return;
  drawMatrix(canvas, block, shown, shown, scale());
  document.body.dataset.rugTrained = trained.key;
}

/** A page run with this rug's (n, m, p), if any: shown beside it. */
async function pickTrained(): Promise<void> {
  if (!rug) return;
  const match = [...pageRuns()].reverse().find((run) => run.n === rug!.n && run.m === rug!.m && Math.abs(run.p - rug!.p) < 1e-12);
  if (!match) { trained = undefined; $('rug-trained-caption').textContent = `No trained model of n ${rug.n}, m ${rug.m}, p ${rug.p} in this page yet: train one (button above) or in the Train section.`; return; }
  if (trained?.run === match) return;
  const worker = compute('rug');
  await worker.setModel(match.id, match.weights);
  trained = { run: match, key: match.id, scale: await worker.modelScale(match.id) };
  $('rug-trained-caption').textContent = `Trained: ${match.label} (held-out loss ${fmt(match.evalLoss)}), same view and colour scale.`;
}

async function build(): Promise<void> {
  const { n, r, p, seed, samples } = values();
  const m = hiddenOf(n, r);
  if (!(p > 0 && p <= 1)) throw new Error(`p = ${p} is not in (0, 1]`);
  if (!(r > 0 && r <= 1)) throw new Error(`r = ${r} is not in (0, 1]`);
  if (!(Number.isInteger(samples) && samples >= 2 && samples <= 1_000_000)) throw new Error(`samples = ${samples} is not an integer in [2, 1000000]`);
  setParams({ n, m, p, seed });
  say(`building the rug n = ${n}, m = ${m}, p = ${p} and measuring its loss on ${grouped(samples)} samples ...`);
  $<HTMLButtonElement>('rug-build').disabled = true;
  try {
    rug = await compute('rug').rug(n, m, p, seed, samples);
  } finally {
    $<HTMLButtonElement>('rug-build').disabled = false;
  }
  rugScale = 0;
  for (let k = 1; k < rug.kernel.length; k++) rugScale = Math.max(rugScale, Math.abs(rug.kernel[k]));
  rugScale ||= 1;
  const z = (rug.loss - rug.theoryLoss) / rug.lossStdErr;
  say(`n ${n}, m ${m} (r ${fmt(m / n)}), p ${p}: A = ${fmt(rug.A)}, μ = ${fmt(rug.mu)} (theory fit) · Monte-Carlo loss ${fmt(rug.loss, 5)} ± ${fmt(rug.lossStdErr, 2)} (${grouped(rug.samples)} samples, ${rug.backend}) · L*(p, r) ${fmt(rug.theoryLoss, 5)} · (loss - L*) / s.e. = ${z.toFixed(1)} · ${rug.seconds.toFixed(1)} s`);
  Object.assign(document.body.dataset, { rugLoss: String(rug.loss), rugStdErr: String(rug.lossStdErr), rugTheory: String(rug.theoryLoss), rugA: String(rug.A), rugMu: String(rug.mu), rugConfig: JSON.stringify({ n, m, p, seed, samples }) });
  const saved = viewNumbers(3);
  view = saved && saved[2] <= n ? { row: saved[0], col: saved[1], size: saved[2] } : { row: 0, col: 0, size: Math.min(n, 64) };
  await pickTrained();
  draw();
}

async function trainMatching(): Promise<void> {
  if (!rug) await build();
  const { n, m, p, seed } = rug!;
  const steps = Number(getParam('steps') ?? 1000);
  $<HTMLButtonElement>('rug-train').disabled = true;
  const trainer = await createWorkerTrainer({ nFeatures: n, nHidden: m, featureProbability: p, seed, steps, evalSamples: 8192 }, { wasm: await kernels });
  try {
    const result = await trainer.run({
      progressEverySteps: Math.max(1, Math.floor(steps / 50)),
      onProgress: (pr) => say(`training n ${n}, m ${m}, p ${p}: step ${pr.step} / ${pr.totalSteps}, loss ${fmt(pr.loss)}, ${pr.seconds.toFixed(1)} s`),
    });
    const weights = await trainer.weights();
    addRun({ id: `rug-section n ${n} m ${m} p ${p} seed ${seed} steps ${steps}`, label: `n ${n}, m ${m}, p ${p}, ${steps} steps`, n, m, p, evalLoss: result.evalLoss, weights, bias: true });
    say(`trained n ${n}, m ${m}, p ${p} for ${result.steps} steps: held-out loss ${fmt(result.evalLoss)} (rug ${fmt(rug!.loss)}, L* ${fmt(rug!.theoryLoss)})`);
    await pickTrained();
    draw();
  } finally {
    trainer.dispose();
    $<HTMLButtonElement>('rug-train').disabled = false;
  }
}

function zoom(factor: number, atRow = view.row + view.size / 2, atCol = view.col + view.size / 2): void {
  const size = Math.max(8, Math.min(rug?.n ?? 64, view.size * factor));
  view = { row: atRow - ((atRow - view.row) * size) / view.size, col: atCol - ((atCol - view.col) * size) / view.size, size };
  draw();
}

function pan(rows: number, cols: number): void {
  view.row += rows; view.col += cols;
  draw();
}

const fail = (error: unknown) => { say(`error: ${(error as Error).message ?? String(error)}`); console.error(error); };

export function setupRug(): void {
  const f = form();
  const select = f.elements.namedItem('n') as HTMLSelectElement;
  select.innerHTML = ORDERS.map((n) => `<option value="${n}">${n}</option>`).join('');
  const n = Number(getParam('n') ?? 512), m = Number(getParam('m') ?? 128);
  select.value = String(ORDERS.includes(n) ? n : 512);
  if (ORDERS.includes(n) && m >= 1 && m <= n) (f.elements.namedItem('r') as HTMLInputElement).value = String(m / n);
  for (const key of ['p', 'seed'] as const) {
    const value = getParam(key);
    if (value !== null) (f.elements.namedItem(key) as HTMLInputElement).value = value;
  }
  f.addEventListener('submit', (event) => { event.preventDefault(); build().catch(fail); });
  $('rug-train').addEventListener('click', () => { trainMatching().catch(fail); });
  for (const button of $('rug').querySelectorAll<HTMLButtonElement>('[data-zoom], [data-pan]')) {
    button.addEventListener('click', () => {
      const quarter = view.size / 4;
      switch (button.dataset.zoom ?? button.dataset.pan) {
        case 'in': zoom(0.5); break;
        case 'out': zoom(2); break;
        case 'reset': view = { row: 0, col: 0, size: Math.min(rug?.n ?? 64, 64) }; draw(); break;
        case 'left': pan(0, -quarter); break;
        case 'right': pan(0, quarter); break;
        case 'up': pan(-quarter, 0); break;
        case 'down': pan(quarter, 0); break;
      }
    });
  }
  const canvas = $<HTMLCanvasElement>('rug-image');
  const entryAt = (event: MouseEvent) => {
    const box = canvas.getBoundingClientRect();
    return { row: view.row + ((event.clientY - box.top) / box.height) * view.size, col: view.col + ((event.clientX - box.left) / box.width) * view.size };
  };
  canvas.addEventListener('wheel', (event) => {
    event.preventDefault();
    const at = entryAt(event);
    zoom(event.deltaY < 0 ? 0.5 : 2, at.row, at.col);
  }, { passive: false });
  let drag: { x: number; y: number; row: number; col: number } | undefined;
  canvas.addEventListener('pointerdown', (event) => { drag = { x: event.clientX, y: event.clientY, row: view.row, col: view.col }; canvas.setPointerCapture(event.pointerId); });
  canvas.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const box = canvas.getBoundingClientRect();
    const perPixel = view.size / box.width;
    const next = { row: drag.row - (event.clientY - drag.y) * perPixel, col: drag.col - (event.clientX - drag.x) * perPixel };
    if (Math.round(next.row) !== view.row || Math.round(next.col) !== view.col) { view.row = next.row; view.col = next.col; draw(); }
  });
  canvas.addEventListener('pointerup', () => { drag = undefined; });
  canvas.addEventListener('keydown', (event) => {
    const quarter = view.size / 4;
    const actions: Record<string, () => void> = {
      ArrowLeft: () => pan(0, -quarter), ArrowRight: () => pan(0, quarter), ArrowUp: () => pan(-quarter, 0), ArrowDown: () => pan(quarter, 0),
      '+': () => zoom(0.5), '=': () => zoom(0.5), '-': () => zoom(2),
    };
    if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
  });
  drawColorbar($<HTMLCanvasElement>('rug-colorbar'));
  build().catch(fail);
}
