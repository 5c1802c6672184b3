// What a host provides (node.ts: node, Deno, Bun; web.ts: browsers and every other host): the one place host differences live.
//
// Code elsewhere imports `#host` (package.json "imports"), which resolves by export condition: `browser` and
// `default` give web.ts (fetch, Web Workers, no `node:` import), `node`, `deno` and `bun` give node.ts (files,
// worker_threads). Inside this repository (tsconfig paths, vitest alias) `#host` is src/host/node.ts.
import type { Endpoint } from 'comlink';

/** What the adapter uses of a node worker_threads Worker (declared here so the types need no @types/node). */
export interface NodeWorker {
  postMessage(value: unknown, transferList?: readonly any[]): void;
  on(event: 'message' | 'error' | 'exit', listener: (value: any) => void): this;
  off(event: 'message' | 'error' | 'exit', listener: (value: any) => void): this;
  terminate(): Promise<number>;
}

/** A node worker_threads Worker or a browser (module) Worker running persian-rug/worker (dist/worker/worker.js). */
export type WorkerLike = NodeWorker | Worker;

export type HostName = 'node' | 'deno' | 'bun' | 'browser';

export interface Host {
  readonly name: HostName;
  /** Can two threads share one wasm memory here (node, Deno, Bun: yes; browsers: only cross-origin isolated pages)? */
  sharedMemoryAvailable(): boolean;
  /** Why shared memory is not available, as one sentence with the fix (undefined when it is). */
  sharedMemoryMissing(): string | undefined;
  /** May this thread block in Atomics.wait (browsers forbid it on the main thread; there the waits spin)? */
  canBlock(): boolean;
  /** Logical cores: os.availableParallelism() or navigator.hardwareConcurrency. */
  availableCores(): Promise<number>;
  /**
   * The bytes at `url`: a file of this package (node, Deno, Bun: read from disk; never HTTP) or fetched.
   * Errors name the file and the fix (`what` names it for the caller, e.g. "the threads build (build/threads.wasm)").
   */
  readBytes(url: URL, what: string): Promise<ArrayBuffer | Uint8Array>;
  /** A caller's location of a file as a URL: node, Deno, Bun also take a file path; browsers resolve against the page. */
  toUrl(location: string): URL;
  /**
   * A new worker on the script `script` beside the module at `base` (its import.meta.url). Browsers call `web`,
   * which must be the literal `() => new Worker(new URL('./script.js', import.meta.url), { type: 'module' })` written
   * at the call site: that is the form bundlers find and bundle, and the call site is the only place it may be
   * (a worker whose imports start itself is a cycle). `unref`: the worker does not keep node alive.
   */
  spawnWorker(base: string, script: string, web: () => Worker, inline: InlineWorker, options?: { unref?: boolean }): Promise<WorkerLike>;
  /** The comlink endpoint of a worker, seen from the thread that started it. */
  endpointOf(worker: WorkerLike): Endpoint;
  /** Calls `callback` once if the worker dies (uncaught error, exit, failed load) before the returned function is called. */
  watchCrash(worker: WorkerLike, callback: (error: Error) => void): () => void;
  /** Inside a worker: the endpoint to the thread that started it (node parentPort, browser self). */
  parentEndpoint(): Endpoint;
  /** Prints one line to the console once per process (the same `key` is said once). */
  noteOnce(key: string, line: string): void;
}

/** The worker's code bundled into one module, base64 (dist/inline/): browsers start it from a blob: URL when `web` fails. */
export type InlineWorker = () => Promise<{ default: string }>;

/** The first message of both worker entries, as soon as they have loaded (browsers: the script was found and ran). */
export const WORKER_HELLO = 'persian-rug:hello';

/** Where the bundler did not emit a file (or the code runs from a CDN), the copy inlined in the package is used, said once. */
export const INLINE_NOTE = 'persian-rug: a wasm file or worker script beside this code did not load (a bundler that does not emit `new URL(..., import.meta.url)` files, or bare imports in a worker); using the copies inlined in the package';

const said = new Set<string>();

/** Host.noteOnce for every host: console.info once per key. */
export function noteOnce(key: string, line: string): void {
  if (said.has(key)) return;
  said.add(key);
  console.info(line);
}

/** Does `bytes` start with the wasm magic number (\0asm)? (An HTML fallback page served as 200 does not.) */
export function isWasm(bytes: ArrayBuffer | Uint8Array): boolean {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return view.length >= 4 && view[0] === 0 && view[1] === 0x61 && view[2] === 0x73 && view[3] === 0x6d;
}
