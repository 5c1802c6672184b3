// The host for browsers (and any host without the `node` condition): fetch, module Web Workers, navigator cores.
// No `node:` import: a browser bundle of this package contains none.
import type { Endpoint } from 'comlink';
import { INLINE_NOTE, WORKER_HELLO, isWasm, noteOnce, type Host, type InlineWorker, type WorkerLike } from './types.js';

const isolated = (): boolean => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;

const BUNDLER_FIX = 'your bundler did not emit it next to the code (it must follow `new URL(\'...\', import.meta.url)`); '
  + 'copy the file from node_modules/persian-rug/build/ to where your server serves it';

async function readBytes(url: URL, what: string): Promise<ArrayBuffer | Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`cannot load ${what} from ${url.href}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`cannot load ${what} from ${url.href}: HTTP ${response.status}; ${BUNDLER_FIX}`);
  const bytes = await response.arrayBuffer();
  if (!isWasm(bytes)) {
    throw new Error(`cannot load ${what} from ${url.href}: the server answered with ${response.headers.get('content-type') ?? 'something'} that is not wasm; ${BUNDLER_FIX}`);
  }
  return bytes;
}

/** Resolves true once the worker says hello (it loaded), false if it fails to load first. */
function started(worker: Worker): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => { worker.removeEventListener('message', onMessage); worker.removeEventListener('error', onError); resolve(ok); };
    const onMessage = (event: MessageEvent) => { if (event.data === WORKER_HELLO) done(true); };
    const onError = (event: Event) => { event.preventDefault(); done(false); };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
  });
}

/** The worker from its inline copy (one self-contained module) on a blob: URL. */
async function inlineWorker(script: string, inline: InlineWorker): Promise<Worker> {
  const code = atob((await inline()).default);
  if (!code) throw new Error(`the worker ${script} of persian-rug could not start and this build has no inline copy of it`);
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  try {
    const worker = new Worker(url, { type: 'module' });
    if (!(await started(worker))) throw new Error(`the inline copy of the worker ${script} of persian-rug could not start (does a Content-Security-Policy forbid blob: workers? then serve node_modules/persian-rug/dist/ with your code)`);
    noteOnce('inline', INLINE_NOTE);
    return worker;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export const host: Host = {
  name: 'browser',
  sharedMemoryAvailable: () => typeof SharedArrayBuffer !== 'undefined' && isolated(),
  sharedMemoryMissing: () => (typeof SharedArrayBuffer !== 'undefined' && isolated() ? undefined
    : 'this page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)'),
  // Atomics.wait throws on a browser's main thread; only workers may block.
  canBlock: () => typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined',
  async availableCores() {
    return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
  },
  readBytes,
  toUrl: (location) => new URL(location, globalThis.location?.href),
  async spawnWorker(_base, script, web, inline) {
    let worker: Worker | undefined;
    try {
      worker = web();
    } catch {
      // import.meta.url is no base for a worker here (inside a blob: worker, a data: module)
    }
    // `script` names the worker in later errors (a failed module worker fires an error event without a message)
    if (worker && await started(worker)) return Object.assign(worker, { script });
    worker?.terminate();
    return Object.assign(await inlineWorker(script, inline), { script });
  },
  endpointOf(worker) {
    return worker as Worker;
  },
  watchCrash(worker: WorkerLike, callback) {
    let live = true;
    const web = worker as Worker & { script?: string };
    const fire = (error: Error) => { if (live) { live = false; callback(error); } };
    // A module worker that cannot load fires a bare Event (no message): name the script and the likely cause.
    const onError = (event: Event) => {
      event.preventDefault();
      const message = (event as ErrorEvent).message;
      fire(new Error(message ? `the worker failed: ${message}`
        : `the worker ${web.script ?? ''} of persian-rug could not start (not found, or an import in it failed to load): your bundler must emit it from \`new Worker(new URL(..., import.meta.url), { type: 'module' })\`; or pass your own worker as the \`worker\` option`));
    };
    web.addEventListener('error', onError);
    return () => { live = false; web.removeEventListener('error', onError); };
  },
  parentEndpoint(): Endpoint {
    return globalThis as unknown as Endpoint;
  },
  noteOnce,
};
