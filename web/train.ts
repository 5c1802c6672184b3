// Train: a model in a Web Worker with live loss, W, statistics and interference histogram; pause/resume, the paper's
// stop rule, ETA; download of the run (run.json + weights.safetensors, as the CLI writes them, and
// checkpoint.safetensors with the Adam state) and loading one back: with its checkpoint, Continue trains on exactly as
// `persian-rug train --resume DIR` does; without it, from the weights with a fresh Adam state (the page says which).
// The main thread only draws: L*(p, r) comes from the compute worker, and every piece of work is a short task.
import {
  createWorkerTrainer, decodeCheckpoint, decodeRunFiles, encodeCheckpoint, encodeRunFiles, hardwareConcurrency, lossHistoryFingerprint,
  resolveTrainConfig, weightsFingerprint, CHECKPOINT_FILE, RUN_RECORD_FILE, WEIGHTS_FILE,
} from 'persian-rug';
import type { ModelWeights, ResolvedTrainConfig, TrainCheckpoint, TrainConfig, TrainProgress, TrainResult, WorkerTrainer } from 'persian-rug';
import { constantLoss, linearLoss } from 'persian-rug/theory';
import { histogramChart, lineChart, type LineChartSpec } from './charts.js';
import { drawColorbar, putMatrix } from './matrix.js';
import { $, download, duration, fmt, grouped } from './format.js';
import { getParam, setParams } from './state.js';
import { transfer } from 'comlink';
import { addRun, compute, kernels } from './shared.js';
import type { StatisticsSummary } from './compute.js';
import type { RunSummary } from 'persian-rug/figures';

const BLOCK = 64;
/** W image and statistics refresh: every this many steps, or this many seconds, whichever comes first. */
const REFRESH_STEPS = 200;
const REFRESH_SECONDS = 2;
/** The paper's epoch (docs/theory.md §1). */
const SAMPLES_PER_EPOCH = 30_000;
const LOSS_COLOR = '#1f5fbf';
/** The status line (steps/s, ETA) changes at most this often. */
const STATUS_EVERY_MS = 250;
export const THEORY_COLOR = '#e07000';

type Phase = 'idle' | 'training' | 'paused' | 'done' | 'error';

let trainer: WorkerTrainer | undefined;
let phase: Phase = 'idle';
/** [step, loss] of the curve shown */
let points: [number, number][] = [];
let totalSteps = 1;
let current: { config: ResolvedTrainConfig; result?: TrainResult; weights?: ModelWeights; checkpoint?: TrainCheckpoint; label: string } | undefined;
let statsBusy = false;
let statsPending: { weights: ModelWeights; p: number; bias: boolean } | undefined;
let chartQueued = false;
/** The interactive views of the shown run's figures (finalized before the live charts draw again). */
let runViews: { finalize(): void }[] = [];
/** A finished run's figures are shown (or on their way): the live charts stay away until a new run or load. */
let runFiguresShown = false;
/** Which run the figures were last requested for (a newer run or load supersedes an older request). */
let figuresFor = 0;

const form = () => $<HTMLFormElement>('controls');
const status = (text: string) => { $('status').textContent = text; };

function setPhase(next: Phase): void {
  phase = next;
  document.body.dataset.state = next;
  $<HTMLButtonElement>('train-button').disabled = next === 'training' || next === 'paused';
  const pause = $<HTMLButtonElement>('pause');
  pause.disabled = !(next === 'training' || next === 'paused');
  pause.textContent = next === 'paused' ? 'Resume' : 'Pause';
  $<HTMLButtonElement>('stop').disabled = !(next === 'training' || next === 'paused');
  $<HTMLButtonElement>('download').disabled = !(current?.result && current.weights && next !== 'training');
}

function readForm(): Partial<TrainConfig> {
  const data = new FormData(form());
  const num = (key: string) => Number(data.get(key));
  const steps = num('steps'), batch = num('batch');
  const config: Partial<TrainConfig> = {
    nFeatures: num('n'), nHidden: num('m'), featureProbability: num('p'), seed: num('seed'), batch, evalSamples: 16384,
  };
  // the stop rule works at epoch ends: `steps` becomes the cap, in whole epochs
  if (data.get('stoprule') === 'on') Object.assign(config, { epochs: Math.max(1, Math.ceil((steps * batch) / SAMPLES_PER_EPOCH)), samplesPerEpoch: SAMPLES_PER_EPOCH });
  else config.steps = steps;
  return config;
}

/** L*(p, r) by (p, r): a 2-D minimization, so it is computed in the compute worker, once; NaN outside the theory's range. */
const theoryLosses = new Map<string, number>();

/** L*(p, r) if known (else undefined, and it is requested: the chart is redrawn when it arrives). */
function theoryLoss(p: number, r: number): number | undefined {
  const key = `${p},${r}`;
  if (theoryLosses.has(key)) return theoryLosses.get(key);
  theoryLosses.set(key, NaN);
  compute('theory').theoryPoint(p, r).then((point) => { theoryLosses.set(key, point.loss); queueLoss(); }, (error: unknown) => {
    console.info('L*(p, r) unavailable:', (error as Error).message);
  });
  return undefined;
}

/** L*(p, r) and the baselines as horizontal lines. */
function theoryRules(p: number, r: number): NonNullable<LineChartSpec['rules']> {
  const rules = [
    { label: 'best constant v', value: constantLoss(p), color: '#888', dash: '2 4' },
    { label: 'best linear (1 - r) v', value: linearLoss(p, r), color: '#555', dash: '8 4' },
  ];
  const star = theoryLoss(p, r);
  if (star !== undefined && Number.isFinite(star)) rules.push({ label: 'theory L*(p, r)', value: star, color: THEORY_COLOR, dash: '10 5' });
  return rules;
}

/** Yields to the event loop (input, rendering) between pieces of main-thread work. */
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The live charts replace the figures of a finished run. */
function dropRunFigures(): void {
  figuresFor++;
  runFiguresShown = false;
  for (const view of runViews) view.finalize();
  runViews = [];
  delete document.body.dataset.runFigures;
  for (const id of ['loss', 'histogram']) { delete $(id).dataset.figure; delete $(id).dataset.interactive; }
  $('loss-caption').textContent = 'Training loss (mean over each progress report) against step, log scale; dashed lines: theory.';
}

function drawLoss(): void {
  // a finished run's figures stay until a new run or load drops them
  if (runFiguresShown) return;
  const c = current?.config;
  const p = c ? (Array.isArray(c.featureProbability) ? c.featureProbability[0] : c.featureProbability) : Number(getParam('p') ?? 0.045);
  const r = c ? c.nHidden / c.nFeatures : Number(getParam('m') ?? 128) / Number(getParam('n') ?? 512);
  $('loss').innerHTML = lineChart({
    xLabel: 'step', yLabel: 'loss', yLog: true, xDomain: [0, totalSteps],
    series: [{ label: current?.label ?? 'training loss', color: LOSS_COLOR, points }],
    rules: theoryRules(p, r), width: 640, height: 380,
  });
}

/** The loss chart is redrawn at most every LOSS_REDRAW_MS (each redraw replaces one small SVG). */
const LOSS_REDRAW_MS = 250;
let lastLossDraw = 0;

function queueLoss(): void {
  if (chartQueued) return;
  chartQueued = true;
  setTimeout(() => requestAnimationFrame(() => { chartQueued = false; lastLossDraw = performance.now(); drawLoss(); }), Math.max(0, lastLossDraw + LOSS_REDRAW_MS - performance.now()));
}

/** The W image of the newest request shown (an older one that arrives late is dropped). */
let weightsShown = 0;

/**
 * The top-left BLOCK x BLOCK block of W = W_out W_in as an image: the main thread cuts out the rows of W_out and the
 * columns of W_in it needs (BLOCK m numbers each); the compute worker forms the block (BLOCK^2 m multiply-adds) and its
 * colours, so a large m or a cold JIT never makes a long task here.
 */
async function showWeights(w: ModelWeights, step: number): Promise<void> {
  const ticket = ++weightsShown;
  const size = Math.min(BLOCK, w.nFeatures), m = w.nHidden;
  const win = new Float32Array(m * size);
  for (let k = 0; k < m; k++) win.set(w.win.subarray(k * w.nFeatures, k * w.nFeatures + size), k * size);
  const wout = w.wout.slice(0, size * m);
  let image;
  try {
    image = await compute('image').weightImage(transfer({ nFeatures: size, nHidden: m, win, wout }, [win.buffer, wout.buffer]));
  } catch (error) {
    console.error('W image failed:', error);
    return;
  }
  if (ticket !== weightsShown) return;
  putMatrix($<HTMLCanvasElement>('weights'), image.rgba, size, size);
  $('scale-low').textContent = fmt(-image.scale);
  $('scale-high').textContent = fmt(image.scale);
  $('weights-caption').textContent = `W = W_out W_in, top-left ${size} x ${size} block at step ${step} (red > 0, blue < 0, scale ±${fmt(image.scale)}).`;
}

/** Statistics in the compute worker; while one is running only the newest request waits. */
function requestStatistics(weights: ModelWeights, p: number, bias: boolean): void {
  statsPending = { weights, p, bias };
  if (statsBusy) return;
  const next = statsPending;
  statsPending = undefined;
  statsBusy = true;
  compute('statistics').statistics(next.weights, next.p, next.bias).then(showStatistics, (error: unknown) => {
    console.error('statistics failed:', error);
  }).finally(() => {
    statsBusy = false;
    if (statsPending) requestStatistics(statsPending.weights, statsPending.p, statsPending.bias);
  });
}

function showStatistics(s: StatisticsSummary): void {
  const rows: [string, string][] = [
    ['diag W_ii', `mean ${fmt(s.diagonal.mean)} · Δ ${fmt(s.diagonal.variance)}`],
    ['bias b_i', s.bias ? `mean ${fmt(s.bias.mean)} · Δ ${fmt(s.bias.variance)}` : 'none'],
    ['σ² term: Var ν_i = v σ_i²', `mean ${fmt(s.interferenceVariance.mean)} · Δ ${fmt(s.interferenceVariance.variance)}`],
    ['E ν_i', `mean ${fmt(s.interferenceMean.mean)} · Δ ${fmt(s.interferenceMean.variance)}`],
    ['off-diagonal W_ij', `skewness ${fmt(s.offDiagonal.skewness)} · excess kurtosis ${fmt(s.offDiagonal.excessKurtosis)}`],
    [`ν_i standardized (${s.interference.rows} rows)`, `skewness ${fmt(s.interference.skewness)} · excess kurtosis ${fmt(s.interference.excessKurtosis)} · KS rejected ${fmt(s.interference.fractionRejected)}`],
    ['loss predicted from the statistics', `per row ${fmt(s.predictedLoss)} · mean field ${fmt(s.meanFieldLoss)}`],
  ];
  const table = $('stats');
  table.innerHTML = `<tbody>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join('')}</tbody>`;
  table.dataset.stats = JSON.stringify({
    diagonal: s.diagonal, bias: s.bias, interferenceVariance: s.interferenceVariance, interferenceMean: s.interferenceMean,
    offDiagonal: s.offDiagonal, interference: s.interference, predictedLoss: s.predictedLoss, meanFieldLoss: s.meanFieldLoss,
  });
  const sd = Math.sqrt(s.offDiagonal.variance);
  if (runFiguresShown) { document.body.dataset.statsReady = String(Number(document.body.dataset.statsReady ?? 0) + 1); return; }
  $('histogram').innerHTML = histogramChart({
    xLabel: 'off-diagonal W_ij', lo: s.histogram.lo, hi: s.histogram.hi, counts: s.histogram.counts,
    gaussian: { mean: s.offDiagonal.mean, sd }, width: 460, height: 300,
  });
  $('histogram-caption').textContent = `Off-diagonal W_ij of ${s.interference.rows} sampled rows (${grouped(s.histogram.total)} entries) against the Gaussian of the same mean and variance: skewness ${fmt(s.offDiagonal.skewness, 3)}, excess kurtosis ${fmt(s.offDiagonal.excessKurtosis, 3)} (0 and 0 for a Gaussian).`;
  document.body.dataset.statsReady = String(Number(document.body.dataset.statsReady ?? 0) + 1);
}

/**
 * A finished, paused or loaded run's loss curve and histograms as `persian-rug plot RUN_DIR` draws them: the same
 * Vega-Lite specs (runLossFigure, runHistogramFigure of persian-rug/figures), compiled and rendered to SVG in a compute
 * worker and put in place of the live charts; the first pointer or focus on one makes it the live vega-embed view of
 * the same spec (values on hover), so no long task lands on the main thread when a run ends.
 */
async function showRunFigures(result: TrainResult, weights: ModelWeights): Promise<void> {
  const c = result.config;
  const ticket = ++figuresFor;
  runFiguresShown = true;
  document.body.dataset.runFigures = 'pending';
  const summary: RunSummary = {
    nFeatures: c.nFeatures, nHidden: c.nHidden, p: pOf(c), perFeatureP: Array.isArray(c.featureProbability), lossHistory: result.lossHistory,
    evalLoss: result.evalLoss, steps: result.steps, batch: c.batch, seed: c.seed, date: new Date().toISOString(), source: 'this page',
  };
  const figures = await compute('figures').runFigures(summary, weights);
  if (ticket !== figuresFor) return;
  for (const figure of figures) {
    await nextTask();
    if (ticket !== figuresFor) return;
    const target = $(figure.name === 'run-loss' ? 'loss' : 'histogram');
    target.innerHTML = figure.svg;
    target.dataset.figure = figure.name;
    const hydrate = (): void => {
      target.removeEventListener('pointerenter', hydrate);
      target.removeEventListener('focusin', hydrate);
      if (ticket !== figuresFor) return;
      import('vega-embed').then(async ({ default: embed }) => {
        if (ticket !== figuresFor) return;
        const { view } = await embed(target, figure.vega as never, { mode: 'vega', actions: false, renderer: 'svg', tooltip: true });
        if (ticket !== figuresFor) { view.finalize(); return; }
        runViews.push(view);
        target.dataset.interactive = '1';
      }).catch((error: unknown) => console.error('figure failed:', error));
    };
    target.addEventListener('pointerenter', hydrate);
    target.addEventListener('focusin', hydrate);
  }
  $('loss-caption').textContent = 'The loss curve of persian-rug plot RUN_DIR (the same Vega-Lite spec, persian-rug/figures): hover for values.';
  $('histogram-caption').textContent = 'The histograms of persian-rug plot RUN_DIR (the same spec): entries of W with the Gaussian of the same mean and variance; hover for values.';
  document.body.dataset.runFigures = String(figures.length);
}

function pOf(config: ResolvedTrainConfig): number {
  const fp = config.featureProbability;
  return Array.isArray(fp) ? fp.reduce((a, b) => a + b, 0) / fp.length : fp;
}

/** Shows a finished (or paused, or loaded) run, in short tasks. */
async function finish(result: TrainResult, weights: ModelWeights, checkpoint?: TrainCheckpoint): Promise<void> {
  const c = result.config;
  current = { ...current!, result, weights, checkpoint };
  requestStatistics(weights, pOf(c), c.bias);
  await showWeights(weights, result.steps);
  await nextTask();
  const hash = weightsFingerprint(weights);
  await nextTask();
  const theory = theoryLoss(pOf(c), c.nHidden / c.nFeatures) ?? NaN;
  Object.assign(document.body.dataset, { hash, lossHash: lossHistoryFingerprint(result.lossHistory), steps: String(result.steps), evalLoss: String(result.evalLoss), threads: String(result.threads) });
  status(`${result.stopReason === 'cancelled' ? 'stopped' : result.stopReason === 'stop-rule' ? 'stopped by the stop rule' : 'done'} after ${result.steps} steps in ${result.seconds.toFixed(1)} s${result.threads ? ` on ${result.threads} thread${result.threads === 1 ? '' : 's'}` : ''}`
    + ` · train loss ${fmt(result.trainLoss)} · held-out loss ${fmt(result.evalLoss)}`
    + (Number.isFinite(theory) ? ` · L* ${fmt(theory)} (ratio ${(result.evalLoss / theory).toFixed(3)})` : '')
    + ` · weights fingerprint ${hash}`);
  await showRunFigures(result, weights);
  addRun({ id: current!.label, label: current!.label, n: c.nFeatures, m: c.nHidden, p: pOf(c), evalLoss: result.evalLoss, weights, bias: c.bias });
}

/** Runs (or resumes) the trainer until its budget, the stop rule, Pause or Stop. */
async function runTrainer(t: WorkerTrainer): Promise<void> {
  const c = t.config;
  const startStep = points.length ? points[points.length - 1][0] : 0;
  let lastImageStep = startStep, lastImageTime = performance.now(), fetching = false, lastStatus = 0;
  const onProgress = (progress: TrainProgress) => {
    points.push([progress.step, progress.loss]);
    queueLoss();
    const due = progress.step - lastImageStep >= REFRESH_STEPS || performance.now() - lastImageTime > REFRESH_SECONDS * 1000;
    if (due && !fetching && progress.step < progress.totalSteps) {
      fetching = true; lastImageStep = progress.step; lastImageTime = performance.now();
      t.weights().then((w) => { void showWeights(w, progress.step); requestStatistics(w, pOf(c), c.bias); }, () => undefined).finally(() => { fetching = false; });
    }
    const rate = (progress.step - startStep) / Math.max(1e-9, progress.seconds);
    const eta = (progress.totalSteps - progress.step) / rate;
    if (performance.now() - lastStatus < STATUS_EVERY_MS && progress.step < progress.totalSteps) return;
    lastStatus = performance.now();
    status(`step ${progress.step} / ${progress.totalSteps} · loss ${fmt(progress.loss)} · ${fmt(rate, 3)} steps/s · ${grouped(rate * c.batch)} samples/s · ETA ${duration(eta)}${c.epochs !== undefined ? ' (or sooner: stop rule)' : ''}`);
  };
  // About 200 points per curve, and a report at least every ~100 ms of work (a step costs ~ batch n m / 1e9 s).
  const stepSeconds = (c.batch * c.nFeatures * c.nHidden) / 1e9;
  const every = Math.max(1, Math.min(Math.floor(totalSteps / 200), Math.round(0.1 / stepSeconds)));
  setPhase('training');
  const result = await t.run({ onProgress, progressEverySteps: every });
  const weights = await t.weights();
  // the Adam state too, so a downloaded run can be continued exactly (as `train --resume` continues a checkpoint)
  const checkpoint = result.stopReason === 'diverged' ? undefined : await t.checkpoint();
  await finish(result, weights, checkpoint);
  performance.mark('persian-rug-train-end');
  if (pauseRequested) {
    pauseRequested = false;
    setPhase('paused');
    status(`paused at step ${result.steps} · held-out loss ${fmt(result.evalLoss)} · Resume continues the same run`);
    return;
  }
  t.dispose();
  trainer = undefined;
  setPhase(result.stopReason === 'diverged' ? 'error' : 'done');
  if (result.stopReason === 'diverged') status(`diverged: ${result.divergence}`);
}

let pauseRequested = false;

/**
 * A new run from `input` (from the seeded init, or from loaded weights with a fresh Adam state), or, with a loaded
 * checkpoint, the loaded run continued to its budget exactly as `persian-rug train --resume DIR` continues it.
 */
async function train(input: Partial<TrainConfig>, start?: Loaded): Promise<void> {
  const resume = start?.checkpoint;
  // resuming takes the run's own config (threads aside: they never change results)
  if (resume) input = { ...resume.config, threads: 0 };
  const config = resolveTrainConfig(input); // ConfigError names the field and its range
  const p = pOf(config);
  totalSteps = config.steps ?? (config.epochs! * Math.ceil(config.samplesPerEpoch / config.batch));
  if (!resume) points = [];
  const label = resume ? start!.label : start ? `${start.label}, trained on (fresh Adam state)` : `n ${config.nFeatures}, m ${config.nHidden}, p ${p}, seed ${config.seed}`;
  current = { config, label };
  dropRunFigures();
  document.body.dataset.config = JSON.stringify(input);
  delete document.body.dataset.hash;
  setPhase('training');
  performance.mark('persian-rug-train-start');
  status(`starting a worker for n = ${config.nFeatures}, m = ${config.nHidden}, p = ${p} ...`);
  drawLoss();
  trainer = await createWorkerTrainer(input, resume ? { wasm: await kernels, resume } : { wasm: await kernels, weights: start?.weights });
  const w0 = await trainer.weights();
  void showWeights(w0, 0);
  await runTrainer(trainer);
}

function fail(error: unknown): void {
  trainer?.dispose();
  trainer = undefined;
  setPhase('error');
  status(`error: ${(error as Error).message ?? String(error)}`);
}

/**
 * run.json + weights.safetensors (+ checkpoint.safetensors) chosen or dropped: shown like a finished run. With the
 * checkpoint (of the same state), Continue trains the run on to its budget exactly as `train --resume`; without it,
 * Train goes on from the weights with a fresh Adam state.
 */
async function loadFiles(files: FileList | File[]): Promise<void> {
  const list = Array.from(files);
  const runFile = list.find((f) => f.name.endsWith('.json'));
  const tensorFiles = list.filter((f) => f.name.endsWith('.safetensors'));
  const checkpointFile = tensorFiles.find((f) => f.name === CHECKPOINT_FILE) ?? (tensorFiles.length === 2 ? tensorFiles.find((f) => /checkpoint/.test(f.name)) : undefined);
  const weightsFile = tensorFiles.find((f) => f !== checkpointFile);
  if (!runFile || !weightsFile) throw new Error(`choose ${RUN_RECORD_FILE} and ${WEIGHTS_FILE} (and ${CHECKPOINT_FILE} to continue exactly), got ${list.map((f) => f.name).join(', ') || 'nothing'}`);
  const { result, weights } = decodeRunFiles(await runFile.text(), new Uint8Array(await weightsFile.arrayBuffer()), { run: runFile.name, weights: weightsFile.name });
  let checkpoint: TrainCheckpoint | undefined;
  if (checkpointFile) {
    checkpoint = decodeCheckpoint(new Uint8Array(await checkpointFile.arrayBuffer()), checkpointFile.name);
    if (checkpoint.step !== result.steps || weightsFingerprint(checkpoint.weights) !== weightsFingerprint(weights)) {
      throw new Error(`${checkpointFile.name} is not of the state in ${runFile.name} and ${weightsFile.name} (step ${checkpoint.step} there, ${result.steps} here, or other weights): load the three files of one run`);
    }
  }
  const c = result.config;
  const p = pOf(c);
  for (const [key, value] of Object.entries({ n: c.nFeatures, m: c.nHidden, p, seed: c.seed, batch: c.batch })) {
    (form().elements.namedItem(key) as HTMLInputElement).value = String(value);
  }
  setParams({ n: c.nFeatures, m: c.nHidden, p, seed: c.seed });
  const history = result.lossHistory ?? [];
  const stride = Math.max(1, Math.floor(history.length / 400));
  points = [];
  for (let i = stride - 1; i < history.length; i += stride) {
    let sum = 0;
    for (let k = i - stride + 1; k <= i; k++) sum += history[k];
    points.push([i + 1, sum / stride]);
  }
  totalSteps = Math.max(1, result.steps);
  current = { config: c, label: `loaded ${runFile.name}: n ${c.nFeatures}, m ${c.nHidden}, p ${p}` };
  dropRunFigures();
  drawLoss();
  await finish(result, weights, checkpoint);
  const budget = c.steps ?? (c.epochs! * Math.ceil(c.samplesPerEpoch / c.batch));
  const complete = result.stopReason !== 'cancelled' || result.steps >= budget;
  loaded = { weights, label: current.label, checkpoint: checkpoint && !complete ? checkpoint : undefined };
  $<HTMLButtonElement>('train-button').textContent = loaded.checkpoint ? `Continue the run to step ${budget}` : 'Train on from the loaded weights';
  $('load-note').textContent = loaded.checkpoint
    ? `Loaded with its checkpoint (Adam state, step ${checkpoint!.step} of ${budget}): Continue trains it on exactly as \`persian-rug train --resume DIR\` would, to the same weights.`
    : checkpoint
      ? `Loaded with its checkpoint; this run is complete (${result.stopReason}, step ${result.steps}), so \`train --resume\` would train no further. Train starts a new run from its weights with a fresh Adam state.`
      : `Loaded without ${CHECKPOINT_FILE}: the pair holds no Adam state, so Train goes on from the weights with a fresh Adam state and its own data stream (not what \`train --resume\` would give; load the checkpoint too for that).`;
  setPhase('done');
  document.body.dataset.loaded = weightsFingerprint(weights);
}

interface Loaded { weights: ModelWeights; label: string; checkpoint?: TrainCheckpoint }
let loaded: Loaded | undefined;

export function setupTrain(): void {
  const f = form();
  for (const key of ['n', 'm', 'p', 'seed', 'steps', 'batch'] as const) {
    const value = getParam(key);
    if (value !== null) (f.elements.namedItem(key) as HTMLInputElement).value = value;
  }
  (f.elements.namedItem('stoprule') as HTMLInputElement).checked = getParam('stoprule') === '1';
  f.addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    if (input.name === 'stoprule') setParams({ stoprule: input.checked ? 1 : null });
    else if (input.name && input.type === 'number') setParams({ [input.name]: input.value } as Record<string, string>);
    // new shape: what was loaded no longer applies
    if (loaded && ['n', 'm'].includes(input.name)) { loaded = undefined; $<HTMLButtonElement>('train-button').textContent = 'Train'; $('load-note').textContent = ''; }
    if (phase === 'idle') { current = undefined; dropRunFigures(); drawLoss(); }
  });
  f.addEventListener('submit', (event) => {
    event.preventDefault();
    if (trainer) return;
    const input = readForm();
    // a loaded run: continued exactly with its checkpoint, else from its weights with a fresh Adam state
    const start = loaded;
    loaded = undefined;
    $('load-note').textContent = '';
    $<HTMLButtonElement>('train-button').textContent = 'Train';
    train(input, start).catch(fail);
  });
  $('pause').addEventListener('click', () => {
    if (!trainer) return;
    if (phase === 'paused') { dropRunFigures(); queueLoss(); runTrainer(trainer).catch(fail); return; }
    pauseRequested = true;
    void trainer.cancel();
  });
  $('stop').addEventListener('click', () => {
    if (!trainer) return;
    if (phase === 'paused') {
      trainer.dispose(); trainer = undefined; setPhase('done');
      status(`stopped at step ${current?.result?.steps ?? 0}`);
      return;
    }
    pauseRequested = false;
    void trainer.cancel();
  });
  $('download').addEventListener('click', () => {
    if (!current?.result || !current.weights) return;
    const files = encodeRunFiles(current.result, current.weights);
    download(RUN_RECORD_FILE, files[RUN_RECORD_FILE], 'application/json');
    download(WEIGHTS_FILE, files[WEIGHTS_FILE]!);
    // the run id in the checkpoint's metadata is run.json's (the CLI's run-folder check reads it)
    const runId = (JSON.parse(files[RUN_RECORD_FILE]) as { runId: string }).runId;
    if (current.checkpoint) download(CHECKPOINT_FILE, encodeCheckpoint(current.checkpoint, runId));
  });
  $<HTMLInputElement>('load').addEventListener('change', (event) => {
    const files = (event.target as HTMLInputElement).files;
    if (files?.length) loadFiles(files).catch(fail);
  });
  $('train').addEventListener('dragover', (event) => event.preventDefault());
  $('train').addEventListener('drop', (event) => {
    event.preventDefault();
    if (event.dataTransfer?.files.length) loadFiles(event.dataTransfer.files).catch(fail);
  });
  hardwareConcurrency().then((cores) => {
    $('threads-note').textContent = globalThis.crossOriginIsolated
      ? `This page is cross-origin isolated: training runs on two threads (the batch's two gradient shards) where the ${cores} logical cores allow; results are bit-identical to one thread.`
      : 'This page is not cross-origin isolated (no SharedArrayBuffer): training runs on one thread.';
  }).catch(fail);
  drawColorbar($<HTMLCanvasElement>('colorbar-canvas'));
  setPhase('idle');
  drawLoss();
  if (getParam('autostart') === '1') train(readForm()).catch(fail);
}
