// A sweep spread over a cluster: the Slurm array and merge scripts, and the same plan as a Kubernetes Indexed Job.
import type { GridSpec } from './grid.js';
import { SHARD_COUNT_ENV } from './shard.js';

export interface ClusterPlan {
  /** The sweep's grid and training flags, as the user gave them (no --out, --shard, --resume). */
  gridArgs: string[];
  spec: GridSpec;
  gridId: string;
  /** Array tasks = shards. */
  tasks: number;
  /** Absolute folder for the plan, scripts, logs, per-task results and the merged file. */
  dir: string;
  /** Absolute paths of the node binary and of the CLI's bin script (as the jobs will run them). */
  node: string;
  cli: string;
  cpusPerTask: number;
  /** Worker threads per task (the user's --workers, else cpusPerTask). */
  workers: number;
  time?: string;
  partition?: string;
  account?: string;
  mem?: string;
  jobName: string;
  /** Predicted seconds of each shard on one core (the cost model). */
  shardSeconds: number[];
}

/** POSIX shell single-quoting: safe for any string. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export const planFile = (dir: string) => `${dir}/plan.json`;
export const mergedFile = (dir: string) => `${dir}/results.jsonl`;

/** DIR/plan.json: what merge --grid reads (grid + shard count) and what a second `slurm` into DIR is checked against. */
export function planJson(plan: ClusterPlan): string {
  return JSON.stringify({ format: 'persian-rug/cluster-plan/1', gridId: plan.gridId, shards: plan.tasks, gridArgs: plan.gridArgs, shardSeconds: plan.shardSeconds, grid: plan.spec }, null, 2) + '\n';
}

function resourceLines(plan: ClusterPlan, time: string | undefined): string[] {
  return [
    ...(plan.partition ? [`#SBATCH --partition=${plan.partition}`] : []),
    ...(plan.account ? [`#SBATCH --account=${plan.account}`] : []),
    ...(time ? [`#SBATCH --time=${time}`] : []),
  ];
}

/** The job array: task i runs shard i/N with --resume into DIR/task-i.jsonl; --requeue lets Slurm rerun a preempted task. */
export function arrayScript(plan: ClusterPlan): string {
  const q = shellQuote;
  const sweep = [q(plan.node), q(plan.cli), 'sweep', ...plan.gridArgs.map(q), '--workers', String(plan.workers),
    '--shard', 'auto', '--shard-count', String(plan.tasks), '--resume', '--out', `${q(plan.dir)}/task-"$SLURM_ARRAY_TASK_ID".jsonl`];
  const slowest = Math.max(...plan.shardSeconds);
  return [
    '#!/bin/bash',
    `# persian-rug sweep as a Slurm job array: grid ${plan.gridId}, ${plan.tasks} tasks (shard i/${plan.tasks} in task i).`,
    `# Predicted per task on one core (the cost model): ${describeSeconds(plan.shardSeconds)}; slowest ${Math.ceil(slowest)} s.`,
    '# A task that is preempted, requeued or resubmitted (sbatch --array=I this-script) resumes its file with --resume.',
    `#SBATCH --job-name=${plan.jobName}`,
    `#SBATCH --array=1-${plan.tasks}`,
    '#SBATCH --requeue',
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${plan.cpusPerTask}`,
    ...(plan.mem ? [`#SBATCH --mem=${plan.mem}`] : []),
    ...resourceLines(plan, plan.time),
    `#SBATCH --output=${plan.dir}/logs/task-%a.log`,
    '#SBATCH --open-mode=append',
    'set -eu',
    `echo "persian-rug: task $SLURM_ARRAY_TASK_ID of ${plan.tasks} on $(hostname), job $SLURM_JOB_ID, restart \${SLURM_RESTART_COUNT:-0}, $(date -u +%FT%TZ)"`,
    `exec ${sweep.join(' ')}`,
    '',
  ].join('\n');
}

/** The merge job (submitted with --dependency=afterok on the array): every task's file into DIR/results.jsonl. */
export function mergeScript(plan: ClusterPlan): string {
  const q = shellQuote;
  return [
    '#!/bin/bash',
    `# persian-rug merge of the ${plan.tasks} task files of grid ${plan.gridId} into ${mergedFile(plan.dir)};`,
    '# reports cells no file has and which task they belong to (exit 1 then: --strict). Safe to run again by hand.',
    `#SBATCH --job-name=${plan.jobName}-merge`,
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    ...resourceLines(plan, plan.time ? '1:00:00' : undefined),
    `#SBATCH --output=${plan.dir}/logs/merge.log`,
    '#SBATCH --open-mode=append',
    'set -u',
    'files=()',
    `for i in $(seq 1 ${plan.tasks}); do`,
    `  f=${q(plan.dir)}/task-$i.jsonl`,
    '  if [ -s "$f" ]; then files+=("$f"); else echo "merge: task $i wrote no results ($f)"; fi',
    'done',
    `exec ${q(plan.node)} ${q(plan.cli)} merge "\${files[@]}" --grid ${q(planFile(plan.dir))} --out ${q(mergedFile(plan.dir))} --strict --force`,
    '',
  ].join('\n');
}

function describeSeconds(seconds: readonly number[]): string {
  const fmt = (s: number) => `${Math.ceil(s)} s`;
  return seconds.length <= 8 ? seconds.map(fmt).join(', ') : `${fmt(Math.min(...seconds))} .. ${fmt(Math.max(...seconds))}`;
}

export interface KubernetesOptions {
  image: string;
  /** The CLI's bin script inside the image. */
  cli: string;
  /** PersistentVolumeClaim holding the results (ReadWriteMany when pods run on several nodes). */
  claim: string;
  /** Pods at once (default: every index). */
  parallelism: number;
}

/** A YAML scalar: JSON strings are YAML double-quoted scalars, so every value is quoted the same safe way. */
const y = (value: string | number) => (typeof value === 'number' ? String(value) : JSON.stringify(value));
const yList = (values: readonly (string | number)[]) => `[${values.map(y).join(', ')}]`;

/**
 * The same plan as a Kubernetes Indexed Job (completionMode: Indexed; pod k runs shard k + 1 with --resume into
 * /results/task-k.jsonl) and a merge Job to apply once it has completed (Kubernetes has no job dependencies).
 */
export function kubernetesManifest(plan: ClusterPlan, k8s: KubernetesOptions): string {
  const name = plan.jobName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const sweep = ['node', k8s.cli, 'sweep', ...plan.gridArgs, '--workers', String(plan.workers), '--shard', 'auto', '--resume', '--out', '/results/task-$(JOB_COMPLETION_INDEX).jsonl'];
  const merge = ['sh', '-c', `exec node ${shellQuote(k8s.cli)} merge /results/task-*.jsonl --out /results/results.jsonl --strict --force`];
  const pod = (container: string, command: string[], env: string[]) => [
    '  template:',
    '    spec:',
    '      restartPolicy: OnFailure',
    '      containers:',
    `        - name: ${y(container)}`,
    `          image: ${y(k8s.image)}`,
    `          command: ${yList(command)}`,
    ...env,
    '          resources:',
    `            requests: { cpu: ${y(String(plan.cpusPerTask))}${plan.mem ? `, memory: ${y(plan.mem)}` : ''} }`,
    '          volumeMounts:',
    '            - { name: results, mountPath: "/results" }',
    '      volumes:',
    `        - { name: results, persistentVolumeClaim: { claimName: ${y(k8s.claim)} } }`,
  ];
  return [
    `# persian-rug sweep as a Kubernetes Indexed Job: grid ${plan.gridId}, ${plan.tasks} indices (index k runs shard k+1/${plan.tasks}).`,
    `# Predicted per index on one core (the cost model): ${describeSeconds(plan.shardSeconds)}.`,
    `# kubectl apply -f this.yaml creates the sweep; apply the merge Job below once it is complete:`,
    `#   kubectl wait --for=condition=complete --timeout=-1s job/${name} && kubectl apply -f merge.yaml`,
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${y(name)}`,
    `  labels: { app: "persian-rug", grid: ${y(plan.gridId)} }`,
    'spec:',
    '  completionMode: Indexed',
    `  completions: ${plan.tasks}`,
    `  parallelism: ${k8s.parallelism}`,
    `  backoffLimit: ${3 * plan.tasks}`,
    ...pod('sweep', sweep, ['          env:', `            - { name: ${y(SHARD_COUNT_ENV)}, value: ${y(String(plan.tasks))} }`]),
    '---',
    '# the merge Job (merge.yaml): every index\'s file into /results/results.jsonl; lists missing cells and their shard',
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${y(`${name}-merge`)}`,
    `  labels: { app: "persian-rug", grid: ${y(plan.gridId)} }`,
    'spec:',
    '  completions: 1',
    '  backoffLimit: 2',
    ...pod('merge', merge, []),
    '',
  ].join('\n');
}
