// Shards of a grid: i/N counted from 1, `auto` from a Slurm array or a Kubernetes Indexed Job, cost-balanced assignment.
import { ConfigError } from '../train/config.js';
import { cellSeconds } from './cost.js';
import type { Cell, GridSpec } from './grid.js';

/** Shard `index` of `count`, 1 <= index <= count; `source` says where `auto` found it. */
export interface Shard {
  index: number;
  count: number;
  source?: string;
}

export const MAX_SHARDS = 1000000;
/** The env var (or --shard-count) giving the number of shards to a Kubernetes Indexed Job's pods. */
export const SHARD_COUNT_ENV = 'PERSIAN_RUG_SHARD_COUNT';

const INTEGER = /^\d+$/;

/** `i/N` with 1 <= i <= N (as vitest, jest and playwright count), or `auto` (see shardFromEnvironment). */
export function parseShard(text: string): Shard | 'auto' {
  const t = text.trim();
  if (t === 'auto') return 'auto';
  const match = /^(\d+)\/(\d+)$/.exec(t);
  const index = match ? Number(match[1]) : NaN, count = match ? Number(match[2]) : NaN;
  if (match && index === 0 && count >= 1) {
    throw new ConfigError(`shard (--shard) = ${JSON.stringify(text)}: shards count from 1 (i/N with i in [1, N]); the first shard is 1/${count}`);
  }
  if (!match || !(count >= 1 && count <= MAX_SHARDS) || !(index >= 1 && index <= count)) {
    throw new ConfigError(`shard (--shard) = ${JSON.stringify(text)} is not i/N with N an integer in [1, ${MAX_SHARDS}] and i an integer in [1, N], or auto`);
  }
  return { index, count };
}

function envInteger(env: Record<string, string | undefined>, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!INTEGER.test(v.trim())) throw new ConfigError(`shard (--shard) = "auto": ${name}=${v} is not a non-negative integer`);
  return Number(v.trim());
}

/**
 * `--shard auto`: this task's shard from the scheduler's environment.
 * - Slurm job array: SLURM_ARRAY_TASK_ID, with SLURM_ARRAY_TASK_MIN/_MAX (and _STEP) giving the range; the shard
 *   is the task's position in the range, the count its length (SLURM_ARRAY_TASK_COUNT must agree when set).
 *   With `countFlag` (--shard-count N) the task id itself is the shard (1..N), so that a part of the array can be
 *   submitted again (`sbatch --array=2 ...`) and keep its shard.
 * - Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based) is shard index + 1; the count from `countFlag`
 *   (--shard-count) or PERSIAN_RUG_SHARD_COUNT (the Job's completions).
 */
export function shardFromEnvironment(env: Record<string, string | undefined>, countFlag?: number): Shard {
  const task = envInteger(env, 'SLURM_ARRAY_TASK_ID');
  if (task !== undefined && countFlag !== undefined) {
    // the task ids are the shards: a subset of the array resubmitted (sbatch --array=2,5 ...) keeps its shards
    if (task < 1 || task > countFlag) throw new ConfigError(`shard (--shard) = "auto": SLURM_ARRAY_TASK_ID=${task} is not a shard in [1, ${countFlag}] (--shard-count ${countFlag}: task ids are the shards)`);
    return { index: task, count: countFlag, source: `Slurm array task SLURM_ARRAY_TASK_ID=${task}, --shard-count=${countFlag} (task ids 1..${countFlag} are the shards)` };
  }
  if (task !== undefined) {
    const min = envInteger(env, 'SLURM_ARRAY_TASK_MIN');
    const max = envInteger(env, 'SLURM_ARRAY_TASK_MAX');
    const step = envInteger(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
    const total = envInteger(env, 'SLURM_ARRAY_TASK_COUNT');
    if (min === undefined || max === undefined) {
      throw new ConfigError(`shard (--shard) = "auto": SLURM_ARRAY_TASK_ID=${task} without SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX; give --shard i/N`);
    }
    if (step < 1 || task < min || task > max || (task - min) % step !== 0) {
      throw new ConfigError(`shard (--shard) = "auto": SLURM_ARRAY_TASK_ID=${task} is not in the array ${min}-${max}:${step}`);
    }
    const count = Math.floor((max - min) / step) + 1;
    if (total !== undefined && total !== count) {
      throw new ConfigError(`shard (--shard) = "auto": SLURM_ARRAY_TASK_COUNT=${total} but the array ${min}-${max}:${step} has ${count} tasks (an array with gaps, e.g. --array=1,3,7?); give --shard i/N`);
    }
    const index = (task - min) / step + 1;
    return { index, count, source: `Slurm array task SLURM_ARRAY_TASK_ID=${task} of ${min}-${max}${step > 1 ? `:${step}` : ''}` };
  }
  const completion = envInteger(env, 'JOB_COMPLETION_INDEX');
  if (completion !== undefined) {
    const count = countFlag ?? envInteger(env, SHARD_COUNT_ENV);
    if (count === undefined) {
      throw new ConfigError(`shard (--shard) = "auto": a Kubernetes Indexed Job (JOB_COMPLETION_INDEX=${completion}) needs the number of shards: --shard-count N or ${SHARD_COUNT_ENV}=N (the Job's completions)`);
    }
    if (!(count >= 1 && count <= MAX_SHARDS) || completion >= count) {
      throw new ConfigError(`shard (--shard) = "auto": JOB_COMPLETION_INDEX=${completion} is not in [0, ${count - 1}] for ${count} shards`);
    }
    const from = countFlag !== undefined ? '--shard-count' : SHARD_COUNT_ENV;
    return { index: completion + 1, count, source: `Kubernetes Indexed Job JOB_COMPLETION_INDEX=${completion}, ${from}=${count}` };
  }
  throw new ConfigError('shard (--shard) = "auto": no array index found: neither SLURM_ARRAY_TASK_ID (Slurm job array) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set; give --shard i/N');
}

/** A cell's cost as the assignment sees it: the cost model rounded to 6 significant digits, so that hosts whose
 * Math.log2 differ in the last bit still agree on the order. */
function assignmentCost(cell: Cell, spec: GridSpec): number {
  return Number(cellSeconds(cell, spec).toPrecision(6));
}

export interface ShardAssignment {
  /** Shard (1..count) of every cell, by key. */
  shardOf: Map<string, number>;
  /** Predicted seconds of each shard's cells on one core (index 0 is shard 1). */
  seconds: number[];
  /** Cells of each shard (index 0 is shard 1). */
  cells: number[];
}

/**
 * Cost-balanced and deterministic: cells longest predicted first (ties by key), each to the shard with the least
 * predicted load so far (ties to the lowest index): greedy list scheduling, whose largest load is at most 4/3 of the
 * best possible. It depends only on the grid and the cost model (never on the machine, the clock or which cells a
 * results file already has), so every task of an array computes the same assignment without coordinating.
 */
export function assignShards(cells: readonly Cell[], spec: GridSpec, count: number): ShardAssignment {
  const costed = cells.map((cell) => ({ cell, cost: assignmentCost(cell, spec) }));
  costed.sort((a, b) => b.cost - a.cost || (a.cell.key < b.cell.key ? -1 : a.cell.key > b.cell.key ? 1 : 0));
  const seconds = new Array<number>(count).fill(0);
  const sizes = new Array<number>(count).fill(0);
  const shardOf = new Map<string, number>();
  // min-heap of shard indices by (load, index): the least-loaded shard, lowest index first
  const heap = Array.from({ length: count }, (_, s) => s);
  const before = (a: number, b: number) => seconds[a] < seconds[b] || (seconds[a] === seconds[b] && a < b);
  const siftDown = () => {
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1;
      let top = i;
      if (l < count && before(heap[l], heap[top])) top = l;
      if (r < count && before(heap[r], heap[top])) top = r;
      if (top === i) return;
      [heap[i], heap[top]] = [heap[top], heap[i]];
      i = top;
    }
  };
  for (const { cell, cost } of costed) {
    if (shardOf.has(cell.key)) continue;
    const best = heap[0];
    seconds[best] += cost;
    sizes[best]++;
    shardOf.set(cell.key, best + 1);
    siftDown();
  }
  return { shardOf, seconds, cells: sizes };
}

/** The cells of shard `index` of `count` (in the order given). */
export function shardCells(cells: readonly Cell[], spec: GridSpec, index: number, count: number): Cell[] {
  if (count === 1) return [...cells];
  const { shardOf } = assignShards(cells, spec, count);
  return cells.filter((c) => shardOf.get(c.key) === index);
}
