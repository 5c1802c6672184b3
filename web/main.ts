// The page: reads the form, trains in a Web Worker (createWorkerTrainer), draws the loss and W while it runs.
import { createWorkerTrainer, lossHistoryFingerprint, resolveTrainConfig, weightsFingerprint } from 'persian-rug';
import type { ModelWeights, TrainConfig, TrainProgress, WorkerTrainer } from 'persian-rug';
import { constantLoss, linearLoss, optimalSymmetricLoss } from 'persian-rug/theory';
import wasmUrl from 'persian-rug/wasm?url';
import { drawColorbar, drawLossChart, drawMatrix, type ReferenceLine } from './plot.js';

const BLOCK = 64;
/** W image refresh: every this many steps, or this many seconds, whichever comes first. */
const IMAGE_EVERY_STEPS = 200;
const IMAGE_EVERY_SECONDS = 2;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const status = $<HTMLParagraphElement>('status');
const lossCanvas = $<HTMLCanvasElement>('loss');
const weightsCanvas = $<HTMLCanvasElement>('weights');

// Compiled once here; every run's worker gets the WebAssembly.Module (no second download or compile).
const kernels: Promise<WebAssembly.Module> = WebAssembly.compileStreaming(fetch(wasmUrl))
  .catch(async () => WebAssembly.compile(await (await fetch(wasmUrl)).arrayBuffer()));

const setState = (state: 'idle' | 'training' | 'done' | 'error') => { document.body.dataset.state = state; };
const fmt = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(4) : v.toExponential(3));

/** The theory's horizontal lines for (p, r): L* (docs/theory.md §4) and the two baselines. */
function theoryLines(p: number, r: number): ReferenceLine[] {
  const lines: ReferenceLine[] = [
    { label: 'best constant v', value: constantLoss(p), color: '#888', dash: [2, 4] },
    { label: 'best linear (1 - r) v', value: linearLoss(p, r), color: '#555', dash: [8, 4] },
  ];
  try {
    lines.push({ label: 'theory L*(p, r)', value: optimalSymmetricLoss(p, r).loss, color: '#e07000', dash: [10, 5] });
  } catch (error) {
    console.warn('L*(p, r) unavailable:', error);
  }
  return lines;
}

/** Top-left size x size block of W = W_out W_in (row-major), and max |entry| for the colour scale. */
function weightBlock(w: ModelWeights): { block: Float64Array; size: number; scale: number } {
  const { nFeatures: n, nHidden: m } = w;
  const size = Math.min(BLOCK, n);
  const block = new Float64Array(size * size);
  let scale = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += w.wout[i * m + k] * w.win[k * n + j];
      block[i * size + j] = sum;
      scale = Math.max(scale, Math.abs(sum));
    }
  }
  return { block, size, scale };
}

function showWeights(w: ModelWeights, step: number): void {
  const { block, size, scale } = weightBlock(w);
  drawMatrix(weightsCanvas, block, size, scale);
  $('scale-low').textContent = fmt(-scale);
  $('scale-high').textContent = fmt(scale);
  $('weights-caption').textContent = `W = W_out W_in, top-left ${size} x ${size} block at step ${step} (red > 0, blue < 0, scale ±${fmt(scale)}).`;
}

function readForm(): Partial<TrainConfig> {
  const data = new FormData(form);
  const num = (key: string) => Number(data.get(key));
  return { nFeatures: num('n'), nHidden: num('m'), featureProbability: num('p'), seed: num('seed'), steps: num('steps'), batch: num('batch'), evalSamples: 16384 };
}

let trainer: WorkerTrainer | undefined;

async function train(input: Partial<TrainConfig>): Promise<void> {
  const config = resolveTrainConfig(input); // ConfigError here names the field and its range
  const { nFeatures: n, nHidden: m, batch } = config;
  const p = config.featureProbability as number;
  const totalSteps = config.steps!;
  const lines = theoryLines(p, m / n);
  const points: [number, number][] = [];
  // About 200 points per curve, and a report at least every ~50 ms of work (a step costs ~ batch n m / 1e9 s).
  const stepSeconds = (batch * n * m) / 1e9;
  const every = Math.max(1, Math.min(Math.floor(totalSteps / 200), Math.round(0.05 / stepSeconds)));
  document.body.dataset.config = JSON.stringify(input);
  setState('training');
  trainButton.disabled = true; stopButton.disabled = false;
  status.textContent = `starting a worker for n = ${n}, m = ${m}, p = ${p} ...`;
  drawLossChart(lossCanvas, points, totalSteps, lines);

  trainer = await createWorkerTrainer(input, { wasm: await kernels });
  try {
    showWeights(await trainer.weights(), 0);
    let lastImageStep = 0, lastImageTime = performance.now(), fetching = false, drawQueued = false;
    const onProgress = (progress: TrainProgress) => {
      points.push([progress.step, progress.loss]);
      if (!drawQueued) {
        drawQueued = true;
        requestAnimationFrame(() => { drawQueued = false; drawLossChart(lossCanvas, points, totalSteps, lines); });
      }
      const rate = (progress.step * batch) / Math.max(1e-9, progress.seconds);
      status.textContent = `step ${progress.step} / ${totalSteps} · loss ${fmt(progress.loss)} · ${Math.round(rate).toLocaleString('en')} samples/s · ${progress.seconds.toFixed(1)} s`;
      const due = progress.step - lastImageStep >= IMAGE_EVERY_STEPS || performance.now() - lastImageTime > IMAGE_EVERY_SECONDS * 1000;
      if (due && !fetching && progress.step < totalSteps) {
        fetching = true; lastImageStep = progress.step; lastImageTime = performance.now();
        trainer?.weights().then((w) => showWeights(w, progress.step), () => undefined).finally(() => { fetching = false; });
      }
    };
    const result = await trainer.run({ onProgress, progressEverySteps: every });
    const weights = await trainer.weights();
    showWeights(weights, result.steps);
    drawLossChart(lossCanvas, points, totalSteps, lines);
    const hash = weightsFingerprint(weights);
    const theory = lines.find((l) => l.label.startsWith('theory'));
    Object.assign(document.body.dataset, { hash, lossHash: lossHistoryFingerprint(result.lossHistory), steps: String(result.steps), threads: String(result.threads) });
    status.textContent = `${result.stopReason === 'cancelled' ? 'stopped' : 'done'} after ${result.steps} steps in ${result.seconds.toFixed(1)} s on ${result.threads} thread${result.threads === 1 ? '' : 's'}`
      + ` · train loss ${fmt(result.trainLoss)} · held-out loss ${fmt(result.evalLoss)}`
      + (theory ? ` · L* ${fmt(theory.value)} (ratio ${(result.evalLoss / theory.value).toFixed(3)})` : '')
      + ` · weights fingerprint ${hash}`;
    setState('done');
  } finally {
    trainer.dispose();
    trainer = undefined;
    trainButton.disabled = false; stopButton.disabled = true;
  }
}

function fail(error: unknown): void {
  setState('error');
  status.textContent = `error: ${(error as Error).message ?? String(error)}`;
  trainButton.disabled = false; stopButton.disabled = true;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!trainer) train(readForm()).catch(fail);
});
stopButton.addEventListener('click', () => { void trainer?.cancel(); });

// ?n=64&m=16&p=0.05&seed=7&steps=200&batch=256&autostart=1 fills the form (and starts): shareable runs, tests.
const params = new URLSearchParams(location.search);
for (const key of ['n', 'm', 'p', 'seed', 'steps', 'batch']) {
  const value = params.get(key);
  if (value !== null) (form.elements.namedItem(key) as HTMLInputElement).value = value;
}
drawColorbar($<HTMLCanvasElement>('colorbar-canvas'));
{
  const preview = readForm();
  drawLossChart(lossCanvas, [], preview.steps ?? 1, theoryLines(preview.featureProbability as number, preview.nHidden! / preview.nFeatures!));
}
if (params.get('autostart') === '1') train(readForm()).catch(fail);
