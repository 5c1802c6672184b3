// `persian-rug slurm`: a sweep as a Slurm job array plus a dependent merge job (or a Kubernetes Indexed Job); submit, follow.
import { execFile } from 'node:child_process';
import { access, chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../train/config.js';
import { expandGrid, gridId } from '../sweep/grid.js';
import { assignShards } from '../sweep/shard.js';
import { arrayScript, kubernetesManifest, mergedFile, mergeScript, planFile, planJson, shellQuote, type ClusterPlan } from '../sweep/cluster.js';
import { formatDuration } from '../sweep/cost.js';
import { writeFileAtomic } from '../io/runRecord.js';
import { parseSweepFlags, describeGrid, SWEEP_FLAGS } from './sweep.js';
import { fieldOf, parseCommand, usageFailure, usageText, type CommandFlags, type Flags } from './flags.js';
import type { FieldSpec } from '../config/schema.js';
import { EXIT, type CliIo } from './io.js';

const refuse = (flag: string) => (): never => {
  throw new ConfigError(`--${flag} is set by persian-rug slurm for each task (--out DIR/task-I.jsonl --shard auto --resume); remove it`);
};
/** Flags of `sweep` that slurm sets itself (refused) or owns (workers, dry-run: its own meaning). */
const SET_BY_SLURM = new Set(['out', 'shard', 'shardCount', 'resume', 'json', 'dryRun', 'workers']);
const SWEEP_GRID_FIELDS = SWEEP_FLAGS.fields.filter((f) => !SET_BY_SLURM.has(f.key));
const sweepField = (key: string) => SWEEP_FLAGS.fields.find((f) => f.key === key)!;

const SLURM_OWN: CommandFlags['fields'] = [
  { key: 'tasks', flag: 'tasks', kind: 'int', min: 1, max: 100000, required: true, valueName: 'N', help: 'array tasks (= shards)' },
  { key: 'dir', flag: 'dir', kind: 'string', valueName: 'DIR', help: 'the folder for the plan, scripts, logs and results (created if missing); not with --kubernetes' },
  { key: 'time', flag: 'time', kind: 'string', valueName: 'T', help: 'time limit of each task (sbatch --time: MIN, HH:MM:SS, D-HH:MM:SS)' },
  { key: 'partition', flag: 'partition', kind: 'string', valueName: 'P', help: 'sbatch --partition' },
  { key: 'account', flag: 'account', kind: 'string', valueName: 'A', help: 'sbatch --account' },
  { key: 'mem', flag: 'mem', kind: 'string', valueName: 'M', help: 'memory per task (sbatch --mem, e.g. 4G)' },
  { key: 'cpusPerTask', flag: 'cpus-per-task', kind: 'int', min: 1, max: 1024, default: 1, valueName: 'C', help: 'cores per task; the sweep\'s --workers unless given' },
  { ...sweepField('workers'), defaultText: '--cpus-per-task', help: 'trained cells on K worker threads in each task' },
  { key: 'jobName', flag: 'job-name', kind: 'string', default: 'persian-rug', valueName: 'NAME', help: 'the jobs\' name' },
  { key: 'wait', flag: 'wait', kind: 'boolean', help: 'follow the jobs to the end (squeue; sacct once they leave the queue); exit 0 when the merged file is complete. A merge cancelled because a task failed once (Slurm never satisfies afterok again, even after the task is requeued and succeeds) is submitted again' },
  { key: 'poll', flag: 'poll', kind: 'number', min: 0.2, max: 3600, default: 10, valueName: 'SECONDS', help: 'with --wait: seconds between looks at the queue' },
  { key: 'dryRun', flag: 'dry-run', kind: 'boolean', help: 'print the scripts and the sbatch commands; write and submit nothing' },
  { key: 'kubernetes', flag: 'kubernetes', kind: 'boolean', help: 'print the plan as a Kubernetes Indexed Job (and its merge Job) instead; submit nothing' },
  { key: 'image', flag: 'image', kind: 'string', valueName: 'IMAGE', help: 'with --kubernetes: a container image with node and persian-rug installed (npm install -g)' },
  { key: 'cliPath', flag: 'cli-path', kind: 'string', default: '/usr/local/lib/node_modules/persian-rug/bin/persian-rug.js', valueName: 'PATH', help: 'with --kubernetes: the CLI in the image' },
  { key: 'claim', flag: 'claim', kind: 'string', default: 'persian-rug-results', valueName: 'PVC', help: 'with --kubernetes: the PersistentVolumeClaim mounted at /results' },
  { key: 'parallelism', flag: 'parallelism', kind: 'int', min: 1, max: 100000, valueName: 'K', defaultText: 'all N', help: 'with --kubernetes: pods at once' },
  // sweep flags that slurm sets for each task: accepted by the parser in their sweep form, then refused with the reason
  ...(['out', 'shard', 'shard-count', 'resume', 'json'] as const).map((flag): FieldSpec => ({
    key: `refused-${flag}`, flag, kind: flag === 'resume' || flag === 'json' ? 'boolean' : 'string', valueName: flag === 'out' ? 'FILE' : 'VALUE',
    help: flag === 'out' ? 'refused: set for each task (DIR/task-I.jsonl)' : flag === 'resume' ? 'refused: every task resumes its file' : flag === 'json' ? 'refused' : 'refused: every task runs --shard auto',
  })),
];

const SLURM_FLAGS: CommandFlags = { fields: [...SLURM_OWN, ...SWEEP_GRID_FIELDS], exclusive: SWEEP_FLAGS.exclusive };

const SLURM_USAGE = usageText(`usage: persian-rug slurm GRID-FLAGS --tasks N --dir DIR [--time T] [--partition P] [--cpus-per-task C] [--wait] [--dry-run]
       persian-rug slurm GRID-FLAGS --tasks N --kubernetes --image IMAGE [--claim PVC]

Runs a sweep (GRID-FLAGS: the flags of persian-rug sweep but --out, --shard and --resume) as a Slurm job array of
N tasks. Cells go to tasks by the cost model (longest first to the least-loaded task, the same in every task), so
tasks take about the same time; each task's predicted time is printed. Writes to DIR:
  plan.json        the grid and the task count (merge --grid reads it)
  sweep.sbatch     the array: task i runs sweep --shard auto (shard i/N) --resume --out DIR/task-i.jsonl;
                   --requeue, so a preempted or requeued task continues its file
  merge.sbatch     merges every task's file into DIR/results.jsonl, naming missing cells and their task
  logs/            task-I.log and merge.log
and submits both with sbatch (the merge with --dependency=afterok on the array). The jobs run this node
(${process.execPath}) and this package's CLI by absolute path: compute nodes must see both (a shared filesystem).
Running it again with the same flags and DIR continues: every task resumes its file.`, SLURM_FLAGS);

interface SlurmArgs {
  flags: Flags;
  /** The sweep flags exactly as given (for the task command line). */
  gridArgs: string[];
}

/** A given flag back as argv text: numbers in full precision (String(x) reads back as the same double), lists with commas. */
function flagArgs(f: FieldSpec, value: unknown): string[] {
  if (f.kind === 'boolean') return value === true ? [`--${f.flag}`] : f.negatedFlag ? [`--${f.negatedFlag}`] : [`--${f.flag}=false`];
  return [`--${f.flag}`, Array.isArray(value) ? value.map(String).join(',') : String(value)];
}

function splitArgs(flags: Flags): SlurmArgs {
  for (const flag of ['out', 'shard', 'shard-count', 'resume', 'json']) if (flags.given(`refused-${flag}`)) refuse(flag)();
  // the sweep flags given, in their declared order, as each task will parse them
  const gridArgs = SWEEP_GRID_FIELDS.filter((f) => flags.given(f.key)).flatMap((f) => flagArgs(f, flags.values[f.key]));
  return { flags, gridArgs };
}

/** The CLI's bin script next to this file's package (dist/cli/slurm.js or src/cli/slurm.ts -> bin/persian-rug.js). */
function cliPath(): string {
  return fileURLToPath(new URL('../../bin/persian-rug.js', import.meta.url));
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && await access(join(dir, command), constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

function run(command: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : 1) : 0;
      done({ code, stdout, stderr: stderr || (error && !stderr ? error.message : '') });
    });
  });
}

export async function runSlurm(argv: readonly string[], io: CliIo): Promise<number> {
  const given = parseCommand(io, 'slurm', SLURM_FLAGS, SLURM_USAGE, argv);
  if (typeof given === 'number') return given;
  let args: SlurmArgs;
  let plan: ClusterPlan;
  try {
    args = splitArgs(given);
    const { flags } = args;
    const kubernetes = flags.on('kubernetes');
    const get = (k: string) => flags.string(k);
    const tasks = flags.number('tasks')!;
    if (!kubernetes && get('dir') === undefined) throw new ConfigError('--dir DIR is required (the folder for the scripts, logs and results)');
    if (kubernetes && flags.given('dir')) throw new ConfigError('--dir goes with Slurm; a Kubernetes Job writes to its volume (--claim)');
    if (get('dir') !== undefined && /[\s'"\\$`%]/.test(get('dir')!)) throw new ConfigError(`--dir ${get('dir')}: a folder name without spaces, quotes, \\, $, \` or % (it is written into #SBATCH lines)`);
    for (const k of ['image', 'cliPath', 'claim', 'parallelism']) if (!kubernetes && flags.given(k)) throw new ConfigError(`--${fieldOf(SLURM_FLAGS, k).flag} goes with --kubernetes`);
    if (kubernetes && get('image') === undefined) throw new ConfigError('--kubernetes needs --image IMAGE (a container image with node and persian-rug installed)');
    if (kubernetes && (flags.on('wait') || flags.given('poll'))) throw new ConfigError('--wait follows Slurm jobs; with --kubernetes use kubectl wait');
    if (flags.on('dryRun') && flags.on('wait')) throw new ConfigError('--dry-run submits nothing, so there is nothing to --wait for');
    const time = get('time');
    if (time !== undefined && !/^(\d+-)?\d+(:\d{1,2}){0,2}$|^\d+-\d+$/.test(time)) throw new ConfigError(`--time ${time} is not a Slurm time (MIN, MIN:SEC, HH:MM:SS, D-HH, D-HH:MM:SS)`);
    const mem = get('mem');
    if (mem !== undefined && !/^\d+[KMGT]?$/i.test(mem)) throw new ConfigError(`--mem ${mem} is not a size (an integer with an optional K, M, G or T)`);
    for (const k of ['partition', 'account', 'jobName', 'claim']) {
      const v = get(k);
      if (v !== undefined && !/^[A-Za-z0-9._,-]+$/.test(v)) throw new ConfigError(`--${fieldOf(SLURM_FLAGS, k).flag} ${v}: only letters, digits and . _ , - are allowed`);
    }
    const cpusPerTask = flags.number('cpusPerTask')!;
    // the grid is checked by the sweep's own parser, as every task will parse it
    const sweepPlan = parseSweepFlags([...args.gridArgs, '--out', 'unused.jsonl', '--shard', `1/${tasks}`]);
    const cells = expandGrid(sweepPlan.spec);
    const assignment = assignShards(cells, sweepPlan.spec, tasks);
    plan = {
      gridArgs: args.gridArgs, spec: sweepPlan.spec, gridId: gridId(sweepPlan.spec), tasks,
      dir: kubernetes ? '/results' : resolve(get('dir')!),
      node: process.execPath, cli: cliPath(), cpusPerTask, workers: flags.number('workers') ?? cpusPerTask,
      time, partition: get('partition'), account: get('account'), mem, jobName: get('jobName')!,
      shardSeconds: assignment.seconds,
    };
    const list = plan.shardSeconds.length <= 8 ? plan.shardSeconds.map((s, i) => `${i + 1}: ${formatDuration(s)}`).join(', ')
      : `${formatDuration(Math.min(...plan.shardSeconds))} .. ${formatDuration(Math.max(...plan.shardSeconds))}`;
    io.stderr(`slurm: ${cells.length} cells (${describeGrid(plan.spec)}) in ${tasks} task(s); predicted per task on one core (cost model): ${list}`);
    if (kubernetes) {
      const parallelism = Math.min(tasks, flags.number('parallelism') ?? tasks);
      io.stdout(kubernetesManifest(plan, { image: get('image')!, cli: get('cliPath')!, claim: get('claim')!, parallelism }));
      return EXIT.ok;
    }
  } catch (error) {
    return usageFailure(io, 'slurm', error);
  }
  const { flags } = args;
  const dir = plan.dir;
  const sweepPath = join(dir, 'sweep.sbatch'), mergePath = join(dir, 'merge.sbatch');
  const submitArray = ['--parsable', sweepPath];
  const submitMerge = (after: string) => ['--parsable', `--dependency=afterok:${after}`, '--kill-on-invalid-dep=yes', mergePath];
  if (flags.on('dryRun')) {
    io.stdout(`# ${sweepPath}\n${arrayScript(plan)}`);
    io.stdout(`# ${mergePath}\n${mergeScript(plan)}`);
    io.stdout(`# submitted as (after writing ${planFile(dir)}, which merge --grid reads):`);
    io.stdout(`sbatch ${submitArray.map(shellQuote).join(' ')}`);
    io.stdout(`sbatch ${submitMerge('<array job id>').map((a) => (a.includes('<') ? a : shellQuote(a))).join(' ')}`);
    return EXIT.ok;
  }
  // nothing is written before these checks pass
  if (!(await onPath('sbatch'))) {
    io.stderr('persian-rug slurm: sbatch is not on PATH (not a Slurm login node?); --dry-run prints the scripts, --kubernetes a Kubernetes Job');
    return EXIT.usage;
  }
  const dirStat = await stat(dir).catch(() => null);
  if (dirStat && !dirStat.isDirectory()) {
    io.stderr(`persian-rug slurm: --dir ${dir} is a file; --dir takes a folder`);
    return EXIT.usage;
  }
  const previous = await readFile(planFile(dir), 'utf8').then((t) => JSON.parse(t) as { gridId?: string; shards?: number }, () => null);
  if (previous && (previous.gridId !== plan.gridId || previous.shards !== plan.tasks)) {
    io.stderr(`persian-rug slurm: --dir ${dir} holds the plan of another sweep (grid ${previous.gridId}, ${previous.shards} tasks; this one: grid ${plan.gridId}, ${plan.tasks} tasks); choose another --dir`);
    return EXIT.usage;
  }
  if (previous) io.stderr(`slurm: ${dir} has this plan already: continuing (every task resumes its file)`);
  await mkdir(join(dir, 'logs'), { recursive: true });
  await writeFileAtomic(planFile(dir), planJson(plan));
  await writeFileAtomic(sweepPath, arrayScript(plan));
  await writeFileAtomic(mergePath, mergeScript(plan));
  await chmod(sweepPath, 0o755);
  await chmod(mergePath, 0o755);
  const array = await run('sbatch', submitArray);
  const arrayId = array.stdout.trim().split(';')[0];
  if (array.code !== 0 || !/^\d+$/.test(arrayId)) {
    io.stderr(`persian-rug slurm: sbatch ${sweepPath} failed: ${(array.stderr || array.stdout).trim()}`);
    return EXIT.failure;
  }
  const merge = await run('sbatch', submitMerge(arrayId));
  const mergeId = merge.stdout.trim().split(';')[0];
  if (merge.code !== 0 || !/^\d+$/.test(mergeId)) {
    io.stderr(`persian-rug slurm: array job ${arrayId} submitted, but sbatch ${mergePath} failed: ${(merge.stderr || merge.stdout).trim()}; run it by hand when the array ends`);
    return EXIT.failure;
  }
  await writeFileAtomic(join(dir, 'jobs.json'), JSON.stringify({ array: arrayId, merge: mergeId, submitted: new Date().toISOString() }) + '\n');
  io.stdout(`slurm: submitted array job ${arrayId} (${plan.tasks} tasks) and merge job ${mergeId} (afterok) -> ${mergedFile(dir)}; squeue -j ${arrayId},${mergeId} shows them`);
  if (!flags.on('wait')) return EXIT.ok;
  const poll = flags.number('poll')!;
  return follow(plan, arrayId, mergeId, poll, io, mergePath);
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'SPECIAL_EXIT']);

interface QueueState {
  tasks: Map<number, string>;
  merge?: { state: string; reason: string };
}

/** Job states from squeue (jobs still in the controller), else sacct (jobs that have left it); null if neither knows. */
async function queueState(arrayId: string, mergeId: string): Promise<QueueState | null> {
  const state: QueueState = { tasks: new Map() };
  const q = await run('squeue', ['-h', '-r', '-t', 'all', '-j', `${arrayId},${mergeId}`, '-o', '%i|%T|%r']);
  let lines = q.code === 0 ? q.stdout.trim().split('\n').filter(Boolean) : [];
  if (lines.length === 0) {
    const a = await run('sacct', ['-n', '-X', '-P', '-j', `${arrayId},${mergeId}`, '-o', 'JobID,State,Reason']);
    if (a.code !== 0) return null;
    lines = a.stdout.trim().split('\n').filter(Boolean);
  }
  for (const line of lines) {
    const [id, rawState, reason = ''] = line.split('|');
    const jobState = rawState.split(' ')[0]; // sacct: "CANCELLED by 0"
    const task = new RegExp(`^${arrayId}_(\\d+)$`).exec(id);
    if (task) state.tasks.set(Number(task[1]), jobState);
    else if (id === mergeId) state.merge = { state: jobState, reason };
  }
  return lines.length ? state : null;
}

function summary(state: QueueState, tasks: number): string {
  const counts = new Map<string, number>();
  for (let t = 1; t <= tasks; t++) {
    const s = state.tasks.get(t) ?? 'PENDING';
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const merge = state.merge ? `${state.merge.state}${state.merge.reason && state.merge.reason !== 'None' ? ` (${state.merge.reason})` : ''}` : 'not in the queue';
  return `tasks: ${[...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')}; merge: ${merge}`;
}

async function follow(plan: ClusterPlan, arrayId: string, firstMergeId: string, poll: number, io: CliIo, mergePath: string): Promise<number> {
  const mergeLog = join(plan.dir, 'logs', 'merge.log');
  let mergeId = firstMergeId;
  let logStart = await stat(mergeLog).then((s) => s.size, () => 0);
  let last = '';
  let settled = 0;
  let unknown = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, poll * 1000));
    const state = await queueState(arrayId, mergeId);
    if (!state) {
      if (++unknown >= 5) {
        io.stderr(`persian-rug slurm: neither squeue nor sacct knows jobs ${arrayId} and ${mergeId} any more; see ${plan.dir}/logs`);
        return EXIT.failure;
      }
      continue;
    }
    unknown = 0;
    const line = summary(state, plan.tasks);
    if (line !== last) io.stderr(`slurm: ${line}`);
    last = line;
    const merge = state.merge;
    if (merge?.state === 'COMPLETED' || (merge && TERMINAL.has(merge.state) && merge.reason !== 'DependencyNeverSatisfied' && merge.state !== 'CANCELLED')) {
      const log = await readFile(mergeLog, 'utf8').catch(() => '');
      for (const l of log.slice(logStart).split('\n').filter(Boolean)) io.stdout(l);
      if (merge.state === 'COMPLETED') {
        io.stdout(`slurm: done: ${mergedFile(plan.dir)}`);
        return EXIT.ok;
      }
      io.stderr(`persian-rug slurm: merge job ${mergeId} ended ${merge.state}: the merged file is incomplete (its log is above); rerun the missing tasks with sbatch --array=I ${join(plan.dir, 'sweep.sbatch')}, then sbatch ${mergePath}`);
      return EXIT.failure;
    }
    const tasksDone = [...Array(plan.tasks).keys()].every((i) => TERMINAL.has(state.tasks.get(i + 1) ?? 'PENDING'));
    const mergeDead = !merge || merge.state === 'CANCELLED' || merge.reason === 'DependencyNeverSatisfied';
    if (!(tasksDone && mergeDead)) { settled = 0; continue; }
    // everything has ended without a merge; look twice, so that a task requeued just now is seen
    if (++settled < 2) continue;
    const failed = [...state.tasks].filter(([, s]) => s !== 'COMPLETED');
    if (failed.length) {
      io.stderr(`persian-rug slurm: ${failed.length} task(s) did not complete: ${failed.map(([t, s]) => `task ${t} ${s}`).join(', ')} (logs in ${plan.dir}/logs); `
        + `rerun them with sbatch --array=${failed.map(([t]) => t).join(',')} ${join(plan.dir, 'sweep.sbatch')} (they resume their files), then sbatch ${mergePath}`);
      return EXIT.failure;
    }
    // every task completed, some after failing once: Slurm's afterok stays failed, so the merge was cancelled
    if (merge && merge.state !== 'CANCELLED') await run('scancel', [mergeId]);
    const again = await run('sbatch', ['--parsable', mergePath]);
    const id = again.stdout.trim().split(';')[0];
    if (again.code !== 0 || !/^\d+$/.test(id)) {
      io.stderr(`persian-rug slurm: every task completed, but sbatch ${mergePath} failed: ${(again.stderr || again.stdout).trim()}`);
      return EXIT.failure;
    }
    io.stderr(`slurm: every task has completed (a task failed once and was requeued, so Slurm cancelled merge job ${mergeId}); merge submitted again as job ${id}`);
    mergeId = id;
    logStart = await stat(mergeLog).then((s) => s.size, () => 0);
    settled = 0;
    last = '';
  }
}
