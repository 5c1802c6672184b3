// Host adapter: everything that differs between node (worker_threads) and browsers (Web Workers) lives here.
import type { Endpoint } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

/** What the adapter uses of a node worker_threads Worker (declared here so the types need no @types/node). */
export interface NodeWorker {
  postMessage(value: unknown, transferList?: readonly any[]): void;
  on(event: 'message' | 'error' | 'exit', listener: (value: any) => void): this;
  off(event: 'message' | 'error' | 'exit', listener: (value: any) => void): this;
  terminate(): Promise<number>;
}

/** A node worker_threads Worker or a browser (module) Worker running dist/worker/worker.js. */
export type WorkerLike = NodeWorker | Worker;

export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Node built-ins are imported through a variable so that bundlers leave them out of browser builds. */
const nodeImport = <T>(name: string): Promise<T> => import(/* @vite-ignore */ /* webpackIgnore: true */ name);

const isNodeWorker = (worker: WorkerLike): worker is NodeWorker => typeof (worker as NodeWorker).on === 'function';

/** The comlink endpoint of a worker, seen from the thread that started it. */
export function endpointOf(worker: WorkerLike): Endpoint {
  return isNodeWorker(worker) ? nodeEndpoint(worker) : worker;
}

/** Calls `callback` once if the worker dies (uncaught error, exit) before `terminate` is called on it. */
export function watchCrash(worker: WorkerLike, callback: (error: Error) => void): () => void {
  let live = true;
  const fire = (error: Error) => { if (live) { live = false; callback(error); } };
  if (isNodeWorker(worker)) {
    const onError = (error: Error) => fire(error instanceof Error ? error : new Error(String(error)));
    const onExit = (code: number) => fire(new Error(`the worker exited with code ${code}`));
    worker.on('error', onError).on('exit', onExit);
    return () => { live = false; worker.off('error', onError).off('exit', onExit); };
  }
  const onError = (event: ErrorEvent) => { event.preventDefault(); fire(new Error(`the worker failed: ${event.message || 'uncaught error'}`)); };
  worker.addEventListener('error', onError);
  return () => { live = false; worker.removeEventListener('error', onError); };
}

/** Starts a worker on this package's worker entry (the literal `new URL` lets bundlers find and emit it). */
export async function spawnWorker(): Promise<WorkerLike> {
  if (isNode) {
    const { Worker } = await nodeImport<typeof import('node:worker_threads')>('node:worker_threads');
    return new Worker(new URL('./worker.js', import.meta.url));
  }
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/** Logical cores available: node os.availableParallelism(), browsers navigator.hardwareConcurrency. */
export async function hardwareConcurrency(): Promise<number> {
  if (isNode) {
    const os = await nodeImport<typeof import('node:os')>('node:os');
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}

/** Inside a worker: the endpoint to the thread that started it (node parentPort, browser self). */
export async function parentEndpoint(): Promise<Endpoint> {
  if (isNode) {
    const { parentPort } = await nodeImport<typeof import('node:worker_threads')>('node:worker_threads');
    if (!parentPort) throw new Error('persian-rug/worker must run inside a worker_threads Worker');
    return nodeEndpoint(parentPort);
  }
  return globalThis as unknown as Endpoint;
}
