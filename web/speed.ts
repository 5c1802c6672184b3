// Speed: the reader's machine, measured now. Training steps per second of the wasm kernels (1 and, when the page is
// cross-origin isolated, 2 threads) against their plain-TS twins on the notebook shape, each run in a worker for a few
// seconds after a check that both backends give the same first losses; shown as ratios measured in this one run.
import { createWorkerTrainer, hardwareConcurrency, type TrainConfig } from 'persian-rug';
import { $, fmt } from './format.js';
import { kernels } from './shared.js';

const NOTEBOOK: Partial<TrainConfig> = { nFeatures: 512, nHidden: 128, featureProbability: 0.045, batch: 1024, seed: 1, evalSamples: 1024 };
/** Seconds each trainer is timed (?seconds= overrides it, e.g. for the browser test). */
const SECONDS = Number(new URLSearchParams(location.search).get('seconds')) || 3;

interface Row { name: string; stepsPerSecond: number; steps: number; threads: number }

/** Steps per second of one configuration, trained for about `seconds` (after 2 warm-up steps). */
async function rate(config: Partial<TrainConfig>, seconds: number): Promise<{ stepsPerSecond: number; steps: number; losses: number[] }> {
  const trainer = await createWorkerTrainer({ ...NOTEBOOK, ...config, steps: 1_000_000 }, { wasm: await kernels });
  try {
    let started = 0, startStep = 0, last = { step: 0, seconds: 0 };
    const result = await trainer.run({
      progressEverySteps: 1,
      onProgress: (p) => {
        if (p.step === 2) { started = p.seconds; startStep = p.step; }
        last = { step: p.step, seconds: p.seconds };
      },
      shouldStop: () => startStep > 0 && last.seconds - started > seconds,
    });
    return { stepsPerSecond: (last.step - startStep) / Math.max(1e-9, last.seconds - started), steps: result.steps, losses: result.lossHistory };
  } finally {
    trainer.dispose();
  }
}

function browserName(): string {
  const ua = navigator.userAgent;
  const m = /(Firefox|Edg|Chrome|Chromium|Safari)\/([\d.]+)/.exec(ua);
  return m ? `${m[1] === 'Edg' ? 'Edge' : m[1]} ${m[2]}` : ua;
}

async function measure(): Promise<void> {
  const button = $<HTMLButtonElement>('speed-run');
  const status = $('speed-status');
  button.disabled = true;
  const rows: Row[] = [];
  const body = $('speed-table').querySelector('tbody')!;
  const render = () => {
    const twin = rows.find((r) => r.name.startsWith('TS twins'));
    const one = rows.find((r) => r.name === 'wasm, 1 thread');
    body.innerHTML = `<tr><th scope="col">trainer</th><th scope="col">steps/s</th><th scope="col">samples/s</th><th scope="col">× TS twins</th><th scope="col">× wasm 1 thread</th></tr>`
      + rows.map((r) => `<tr data-name="${r.name}" data-rate="${r.stepsPerSecond}"><td>${r.name}</td><td>${fmt(r.stepsPerSecond, 3)}</td><td>${Math.round(r.stepsPerSecond * 1024).toLocaleString('en')}</td>`
        + `<td>${twin ? fmt(r.stepsPerSecond / twin.stepsPerSecond, 3) : '–'}</td><td>${one ? fmt(r.stepsPerSecond / one.stepsPerSecond, 3) : '–'}</td></tr>`).join('');
  };
  try {
    status.textContent = 'checking: the first steps of the wasm kernels and of the TS twins must give the same losses ...';
    const [wasmCheck, twinCheck] = [await rate({ threads: 1, backend: 'wasm' }, 0), await rate({ threads: 1, backend: 'js' }, 0)];
    const agree = wasmCheck.losses.slice(0, 3).every((l, i) => Math.abs(l - twinCheck.losses[i]) <= 1e-4 * Math.abs(twinCheck.losses[i]));
    if (!agree) throw new Error(`wasm and TS twins disagree on the first losses (${wasmCheck.losses.slice(0, 3).join(', ')} vs ${twinCheck.losses.slice(0, 3).join(', ')}); not timing`);
    const plans: [string, Partial<TrainConfig>, number][] = [
      ['wasm, 1 thread', { threads: 1, backend: 'wasm' }, 1],
      ...(globalThis.crossOriginIsolated ? [['wasm, 2 threads', { threads: 2, backend: 'wasm' }, 2] as [string, Partial<TrainConfig>, number]] : []),
      ['TS twins (plain TypeScript kernels), 1 thread', { threads: 1, backend: 'js' }, 1],
    ];
    for (const [name, config, threads] of plans) {
      status.textContent = `measuring ${name} for ${SECONDS} s ...`;
      const r = await rate(config, SECONDS);
      rows.push({ name, stepsPerSecond: r.stepsPerSecond, steps: r.steps, threads });
      render();
    }
    status.textContent = `${browserName()}, ${await hardwareConcurrency()} logical cores, ${globalThis.crossOriginIsolated ? 'cross-origin isolated (2 threads possible)' : 'not cross-origin isolated (1 thread only)'}; notebook shape n 512, m 128, p 0.045, batch 1024; ${SECONDS} s each after 2 warm-up steps, first losses checked equal`;
    document.body.dataset.speed = JSON.stringify(rows.map((r) => ({ name: r.name, stepsPerSecond: r.stepsPerSecond })));
  } finally {
    button.disabled = false;
  }
}

export function setupSpeed(): void {
  $('speed-run').addEventListener('click', () => {
    measure().catch((error: unknown) => { $('speed-status').textContent = `error: ${(error as Error).message}`; console.error(error); });
  });
}
