// Speed: the reader's machine, measured now by `persian-rug bench`'s own measurement (runBenchmark of
// persian-rug/bench, in a worker): wasm on 1 and (cross-origin isolated) 2 threads, the plain-TS twins and the
// hand-written dense JS trainer, each checked against the twin before it is timed; ratios from this one run, and the
// report as the CLI prints it (formatBenchReport), with the browser's name and core count.
import { hardwareConcurrency } from 'persian-rug';
import type { BenchMode, BenchReport } from 'persian-rug/bench';
import { $, fmt, grouped } from './format.js';
import { kernels } from './shared.js';
import { getParam, setParams } from './state.js';
import type { BenchMessage, BenchRequest } from './benchWorker.js';

const MODES: Record<BenchMode, string> = {
  quick: 'quick: under a minute (bench --quick)',
  full: 'full: about half an hour (bench)',
  tiny: 'tiny: seconds, a smoke test (bench --tiny)',
};

export function browserName(): string {
  const ua = navigator.userAgent;
  const m = /(Firefox|Edg|Chrome|Chromium|Safari)\/([\d.]+)/.exec(ua);
  return m ? `${m[1] === 'Edg' ? 'Edge' : m[1]} ${m[2]}` : ua;
}

const times = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '–' : `${fmt(v, 3)}x`);

function showReport(report: BenchReport, lines: string[]): void {
  const body = $('speed-table').querySelector('tbody')!;
  const rows: string[] = [`<tr><th scope="col">shape</th><th scope="col">implementation</th><th scope="col">steps</th><th scope="col">batch</th>`
    + `<th scope="col">samples/s (median)</th><th scope="col">best</th><th scope="col">of bound</th></tr>`];
  for (const s of report.shapes) {
    s.rows.forEach((r, i) => {
      rows.push(`<tr data-kind="${r.kind}" data-threads="${r.threads}"><td>${i ? '' : `${s.shape.name} (n ${s.shape.nFeatures}, m ${s.shape.nHidden}, p ${s.shape.featureProbability})`}</td>`
        + `<td>${r.implementation}</td><td>${r.steps[0]}–${r.steps[1]}</td><td>${r.batch}</td><td>${grouped(r.samplesPerSecond.median)}</td>`
        + `<td>${grouped(r.samplesPerSecond.best)}</td><td>${fmt(100 * r.fractionOfBound, 3)}%</td></tr>`);
    });
  }
  body.innerHTML = rows.join('');
  const ratios = $('speed-ratios');
  ratios.innerHTML = report.shapes.map((s) => {
    const r = s.ratios;
    return `<li><strong>${s.shape.name}</strong>: wasm 1 thread ${times(r.vsTwin.median)} its TS twins, ${times(r.vsDense.median)} the hand-written dense JS trainer`
      + (r.twoThreads ? `; 2 threads ${times(r.twoThreads.median)} 1 thread` : '; 2 threads not measured (the page is not cross-origin isolated)') + '</li>';
  }).join('');
  $('speed-report').textContent = lines.join('\n');
  document.body.dataset.speed = JSON.stringify({ report, lines });
}

async function measure(mode: BenchMode): Promise<void> {
  const button = $<HTMLButtonElement>('speed-run');
  const status = $('speed-status');
  button.disabled = true;
  delete document.body.dataset.speed;
  const cores = await hardwareConcurrency();
  const environment: Record<string, string | number> = {
    browser: browserName(),
    cores,
    'cross-origin isolated': globalThis.crossOriginIsolated ? 'yes (2 threads)' : 'no (1 thread only)',
    'user agent': navigator.userAgent,
  };
  const worker = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module', name: 'bench' });
  try {
    status.textContent = `${browserName()}, ${cores} logical cores: starting ...`;
    const request: BenchRequest = { mode, wasm: await kernels, environment };
    const done = new Promise<void>((resolve, reject) => {
      worker.addEventListener('message', (event: MessageEvent<BenchMessage>) => {
        const m = event.data;
        if (m.type === 'progress') status.textContent = `${browserName()}, ${cores} logical cores: ${m.message} ...`;
        else if (m.type === 'report') {
          showReport(m.report, m.lines);
          status.textContent = `${browserName()}, ${cores} logical cores, ${globalThis.crossOriginIsolated ? 'cross-origin isolated (1 and 2 threads)' : 'not cross-origin isolated (1 thread only)'}; mode ${mode}; every row checked against the TS twin before it was timed.`;
          resolve();
        } else reject(new Error(m.check ? `${m.message}; nothing was timed after it` : m.message));
      });
      worker.addEventListener('error', (event) => reject(new Error(`the benchmark worker failed: ${event.message}`)));
    });
    worker.postMessage(request);
    await done;
  } finally {
    worker.terminate();
    button.disabled = false;
  }
}

export function setupSpeed(): void {
  const select = $<HTMLSelectElement>('speed-mode');
  select.innerHTML = (Object.keys(MODES) as BenchMode[]).map((m) => `<option value="${m}">${MODES[m]}</option>`).join('');
  const wanted = getParam('bench');
  select.value = wanted && wanted in MODES ? wanted : 'quick';
  select.addEventListener('change', () => setParams({ bench: select.value === 'quick' ? null : select.value }));
  $('speed-run').addEventListener('click', () => {
    measure(select.value as BenchMode).catch((error: unknown) => {
      $('speed-status').textContent = `error: ${(error as Error).message}`;
      console.error(error);
    });
  });
}
