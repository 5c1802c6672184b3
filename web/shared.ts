// What the sections share: the compiled kernels, the compute workers, and the runs trained or loaded in this page.
import { wrap, type Remote } from 'comlink';
import type { ModelWeights } from 'persian-rug';
import wasmUrl from 'persian-rug/wasm?url';
import type { ComputeApi } from './compute.js';

/** Compiled once on the page; every trainer's worker gets the WebAssembly.Module (no second download or compile). */
export const kernels: Promise<WebAssembly.Module> = WebAssembly.compileStreaming(fetch(wasmUrl))
  .catch(async () => WebAssembly.compile(await (await fetch(wasmUrl)).arrayBuffer()));

const workers = new Map<string, Remote<ComputeApi>>();

/** A compute worker per job kind (theory, statistics, rug, figures, the W image), started on first use, so one job never queues behind another. */
export function compute(kind: 'theory' | 'statistics' | 'rug' | 'figures' | 'image'): Remote<ComputeApi> {
  let remote = workers.get(kind);
  if (!remote) {
    const worker = new Worker(new URL('./compute.ts', import.meta.url), { type: 'module', name: `compute-${kind}` });
    worker.addEventListener('error', (event) => console.error(`compute worker (${kind}) failed: ${event.message}`));
    workers.set(kind, remote = wrap<ComputeApi>(worker));
  }
  return remote;
}

export interface PageRun {
  id: string;
  label: string;
  n: number;
  m: number;
  p: number;
  evalLoss: number;
  weights: ModelWeights;
  bias: boolean;
}

const runs: PageRun[] = [];
const listeners: (() => void)[] = [];

/** Runs trained or loaded in this page (the theory slices show them as points; the rug shows a matching one). */
export function pageRuns(): readonly PageRun[] {
  return runs;
}

export function addRun(run: PageRun): void {
  const at = runs.findIndex((r) => r.id === run.id);
  if (at >= 0) runs[at] = run; else runs.push(run);
  for (const listener of listeners) listener();
}

export function onRunsChanged(listener: () => void): void {
  listeners.push(listener);
}
