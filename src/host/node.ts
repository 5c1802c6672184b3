// The host for node, Deno and Bun: package files from disk (never HTTP), worker_threads, os cores.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Endpoint } from 'comlink';
import { isWasm, noteOnce, type Host, type HostName, type NodeWorker, type WorkerLike } from './types.js';

const name: HostName = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' ? 'deno'
  : typeof (process.versions as { bun?: string }).bun === 'string' ? 'bun' : 'node';

/** True inside a clone of the repository (assembly/ beside src/ and dist/), where `npm run build` is the fix. */
const inRepository = (): boolean => existsSync(new URL('../../assembly/index.ts', import.meta.url));

/**
 * A worker script of this package. Run from src/ (vitest, a TS runner) the .js entry exists only in dist/
 * (`npm run build`), so src/<dir>/<file>.js maps to dist/<dir>/<file>.js.
 */
function workerScript(url: URL): URL {
  if (existsSync(url)) return url;
  const built = url.href.replace(/\/src\/(\w+\/\w+\.js)$/, '/dist/$1');
  if (built !== url.href && existsSync(new URL(built))) return new URL(built);
  throw new Error(`the worker script ${fileURLToPath(url)} is missing; ${inRepository() ? 'run `npm run build` in this repository' : 'reinstall persian-rug'}`);
}

const isNodeWorker = (worker: WorkerLike): worker is NodeWorker => typeof (worker as NodeWorker).on === 'function';

async function readBytes(url: URL, what: string): Promise<ArrayBuffer | Uint8Array> {
  let bytes: ArrayBuffer | Uint8Array;
  if (url.protocol === 'file:') {
    const path = fileURLToPath(url);
    try {
      bytes = await readFile(url);
    } catch (error) {
      const e = error as Error & { code?: string };
      if (name === 'deno' && (e.name === 'NotCapable' || e.name === 'PermissionDenied' || /--allow-read/.test(e.message))) {
        throw new Error(`persian-rug needs read access to its wasm files: run deno with --allow-read (or --allow-read=${fileURLToPath(new URL('../..', import.meta.url))})`);
      }
      if (e.code === 'ENOENT') {
        throw new Error(`cannot load ${what}: ${path} is missing; ${inRepository() ? 'run `npm run build` in this repository' : 'reinstall persian-rug (its package ships this file)'}`);
      }
      throw new Error(`cannot load ${what} from ${path}: ${e.message}`);
    }
  } else {
    // Only a URL the caller gave; the package's own files are always read from disk.
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot load ${what} from ${url.href}: HTTP ${response.status}`);
    bytes = await response.arrayBuffer();
  }
  if (!isWasm(bytes)) throw new Error(`cannot load ${what} from ${url.href}: it is not a wasm file`);
  return bytes;
}

export const host: Host = {
  name,
  sharedMemoryAvailable: () => typeof SharedArrayBuffer !== 'undefined',
  sharedMemoryMissing: () => (typeof SharedArrayBuffer !== 'undefined' ? undefined : `this ${name} has no SharedArrayBuffer`),
  canBlock: () => true,
  async availableCores() {
    try {
      return Math.max(1, availableParallelism?.() ?? cpus().length);
    } catch {
      // Deno without --allow-sys
      return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
    }
  },
  readBytes,
  toUrl: (location) => (/^[a-z][a-z0-9+.-]+:/i.test(location) && !/^[a-z]:[\\/]/i.test(location) ? new URL(location) : pathToFileURL(resolve(location))),
  async spawnWorker(base, script, _web, _inline, options = {}) {
    const worker = new Worker(workerScript(new URL(script, base)));
    if (options.unref) worker.unref();
    return worker;
  },
  endpointOf(worker) {
    return isNodeWorker(worker) ? nodeEndpoint(worker) : worker;
  },
  watchCrash(worker, callback) {
    let live = true;
    const fire = (error: Error) => { if (live) { live = false; callback(error); } };
    if (!isNodeWorker(worker)) {
      const onError = (event: ErrorEvent) => { event.preventDefault(); fire(new Error(`the worker failed: ${event.message || 'uncaught error'}`)); };
      worker.addEventListener('error', onError);
      return () => { live = false; worker.removeEventListener('error', onError); };
    }
    const onError = (error: Error) => fire(error instanceof Error ? error : new Error(String(error)));
    const onExit = (code: number) => fire(new Error(`the worker exited with code ${code}`));
    worker.on('error', onError).on('exit', onExit);
    return () => { live = false; worker.off('error', onError).off('exit', onExit); };
  },
  parentEndpoint(): Endpoint {
    if (!parentPort) throw new Error('this script must run inside a worker_threads Worker');
    return nodeEndpoint(parentPort);
  },
  noteOnce,
};
