// The two-core training protocol shared by parallel.ts (main thread) and shardWorker.ts (second thread): the
// control block's layout, the wait, the init message. No worker is started here (a worker importing the code
// that starts it would be a cycle for bundlers).
//
// The threads synchronize through a control block in the shared memory (Int32 words):
//   [0] request count (main increments, then notifies)   [1] done count (worker: update share finished)
//   [2] command: 1 train shard, 2 exit                    [3] step   [4] error flag
//   [5] shard count (worker: gradients ready)             [6] go count (main: both gradients ready)
//   f64 at byte 32: the shard's loss sum.
// A step: main writes step and command and bumps the request count; both threads run their shard; main waits
// for shard = request, then sets go = request; both run their update share; main waits for done = request.
// Waits spin up to SPIN_MS before sleeping in Atomics.wait (a hand-off inside a step would otherwise cost a
// wake-up of a sleeping thread several times a step).
import { host } from '#host';
import type { ShardPlan } from './model.js';

export const CONTROL_BYTES = 48;
export const COMMAND_TRAIN = 1;
export const COMMAND_EXIT = 2;
export const REQUEST = 0, DONE = 1, COMMAND = 2, STEP = 3, ERROR = 4, SHARD = 5, GO = 6;
/** The shard worker's answer to its init message: instantiated on the shared memory, waiting for steps. */
export const SHARD_READY = 'persian-rug:shard-ready';
/** A shard takes milliseconds; a worker silent this long has died. */
export const WAIT_LIMIT_MS = 120_000;
/**
 * How long a wait spins before it sleeps in Atomics.wait. A thread that sleeps lets its core idle; waking it costs
 * a futex wake-up and, on a virtual machine, the hypervisor's wake-up of an idle vCPU, on the step's critical path.
 * Most of a step's hand-offs wait less than this; longer waits (between runs, between progress reports) still
 * sleep. The trade OpenMP runtimes make (KMP_BLOCKTIME, GOMP_SPINCOUNT). Measured on the 2-vCPU VM of
 * bench/README.md against the earlier 50-100 microseconds of spinning: 400 notebook steps on two threads, ten
 * back-to-back pairs, median 1.08x (0.87-1.5x: that machine's speed drifts more than this between runs).
 * In a browser the page's UI thread shares the cores with both training threads: there the waits sleep after
 * 0.1 ms as before (the browser test's UI-responsiveness check in Firefox failed once on 2 cores with 2 ms spins).
 */
const SPIN_MS = host.name === 'browser' ? 0.1 : 2;

/**
 * Waits until control[index] is `value` (spinning first); false if limitMs passed (Infinity: never). Where this
 * thread may not block (a browser's main thread) it only spins.
 */
export function waitForValue(control: Int32Array, index: number, value: number, limitMs = Infinity): boolean {
  if (Atomics.load(control, index) === value) return true;
  const started = performance.now();
  const block = host.canBlock();
  for (let polls = 1; ; polls++) {
    const seen = Atomics.load(control, index);
    if (seen === value) return true;
    if (polls % 1024 !== 0) continue;
    const waited = performance.now() - started;
    if (block && waited >= SPIN_MS) {
      if (Atomics.wait(control, index, seen, 1000) === 'timed-out' && performance.now() - started > limitMs) return false;
    } else if (waited > limitMs) return false;
  }
}

/** What the shard worker receives once: the module, the shared memory and where everything is. */
export interface ShardWorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  plan: ShardPlan<number>;
  controlPtr: number;
  statePtr: number;
}

