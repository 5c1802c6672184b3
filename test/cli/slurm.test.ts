// `persian-rug slurm` without a cluster: the printed sbatch scripts, the Kubernetes manifest (parsed as YAML), bad input.
// The real cluster runs in test/slurm/cluster.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCommand } from '../helpers.js';
import { runSlurm } from '../../src/cli/slurm.js';
import { parseSweepFlags } from '../../src/cli/sweep.js';

const run = (...argv: string[]) => runCommand(runSlurm, ...argv);
const GRID = ['--kind', 'theory,trained', '--n', '32,64', '--m', '8', '--p', '0.05,0.1', '--steps', '100'];
const BIN = resolve('bin/persian-rug.js');

function section(stdout: string[], header: string): string {
  const text = stdout.join('\n');
  const start = text.indexOf(`# ${header}\n`);
  const from = start + header.length + 3;
  const ends = [text.indexOf('\n# /', from), text.indexOf('\n# submitted', from)].filter((e) => e >= 0);
  return text.slice(from, ends.length ? Math.min(...ends) : undefined);
}

describe('persian-rug slurm --dry-run', () => {
  it('prints the array script (shard auto, --resume, --requeue, the CLI by absolute path) and the merge script; writes nothing', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'slurm-')), 'run');
    const { code, stdout, stderr } = await run(...GRID, '--tasks', '3', '--dir', dir, '--time', '2:00:00', '--partition', 'gpu', '--cpus-per-task', '2', '--dry-run');
    expect(code).toBe(0);
    expect(stderr).toEqual([expect.stringMatching(/^slurm: 8 cells \(.*\) in 3 task\(s\); predicted per task on one core \(cost model\): 1: \d+ s, 2: \d+ s, 3: \d+ s$/)]);
    const array = section(stdout, join(dir, 'sweep.sbatch'));
    for (const line of ['#SBATCH --array=1-3', '#SBATCH --requeue', '#SBATCH --cpus-per-task=2', '#SBATCH --time=2:00:00', '#SBATCH --partition=gpu', `#SBATCH --output=${dir}/logs/task-%a.log`]) {
      expect(array.split('\n')).toContain(line);
    }
    expect(array).toContain(`exec ${process.execPath} ${BIN} sweep ${GRID.join(' ')} --workers 2 --shard auto --shard-count 3 --resume --out ${dir}/task-"$SLURM_ARRAY_TASK_ID".jsonl`);
    expect(array).not.toMatch(/npx/);
    const merge = section(stdout, join(dir, 'merge.sbatch'));
    expect(merge).toContain(`exec ${process.execPath} ${BIN} merge "\${files[@]}" --grid ${dir}/plan.json --out ${dir}/results.jsonl --strict --force`);
    for (const script of [array, merge]) expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(stdout).toContain(`sbatch --parsable ${dir}/sweep.sbatch`);
    expect(stdout).toContain(`sbatch --parsable --dependency=afterok:<array job id> --kill-on-invalid-dep=yes ${dir}/merge.sbatch`);
    expect(await readdir(join(dir, '..'))).toEqual([]);
  });

  it('the array script runs: bash with a fake array task environment starts the sweep of that shard', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slurm-'));
    const { stdout } = await run('--kind', 'theory', '--n', '32', '--m', '8', '--p', '0.05,0.1,0.2', '--tasks', '2', '--dir', dir, '--dry-run');
    const script = join(dir, 'sweep.sbatch');
    await writeFile(script, section(stdout, script));
    const task = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '2', SLURM_JOB_ID: '7' } });
    expect(task.status).toBe(0);
    expect(task.stderr).toContain('sweep: --shard auto: Slurm array task SLURM_ARRAY_TASK_ID=2, --shard-count=2 (task ids 1..2 are the shards) -> shard 2/2');
    expect(task.stdout).toMatch(/^persian-rug: task 2 of 2 on .*, job 7, restart 0/);
    expect(task.stdout).toMatch(new RegExp(`sweep: wrote [12] records to ${dir}/task-2.jsonl`));
  });
});

describe('persian-rug slurm --kubernetes', () => {
  it('prints an Indexed Job (and its merge Job) that parses as YAML with the right fields', async () => {
    const { code, stdout } = await run(...GRID, '--tasks', '4', '--kubernetes', '--image', 'ghcr.io/me/persian-rug:0.1.0', '--cpus-per-task', '2', '--mem', '4G', '--parallelism', '2');
    expect(code).toBe(0);
    const docs = parseAllDocuments(stdout.join('\n'));
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const [job, mergeJob] = docs.map((d) => d.toJS());
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed', completions: 4, parallelism: 2 } });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('OnFailure');
    const container = pod.containers[0];
    expect(container.image).toBe('ghcr.io/me/persian-rug:0.1.0');
    expect(container.env).toEqual([{ name: 'PERSIAN_RUG_SHARD_COUNT', value: '4' }]);
    expect(container.resources.requests).toEqual({ cpu: '2', memory: '4G' });
    expect(container.command.slice(0, 3)).toEqual(['node', '/usr/local/lib/node_modules/persian-rug/bin/persian-rug.js', 'sweep']);
    expect(container.command.slice(-7)).toEqual(['--workers', '2', '--shard', 'auto', '--resume', '--out', '/results/task-$(JOB_COMPLETION_INDEX).jsonl']);
    expect(container.volumeMounts).toEqual([{ name: 'results', mountPath: '/results' }]);
    expect(pod.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'persian-rug-results' } }]);
    // what pod 2 (index 1) will parse: shard 2 of 4
    const args = container.command.slice(3).map((a: string) => a.replace('$(JOB_COMPLETION_INDEX)', '1'));
    const plan = parseSweepFlags(args, { JOB_COMPLETION_INDEX: '1', PERSIAN_RUG_SHARD_COUNT: '4' });
    expect(plan.shard).toEqual({ index: 2, count: 4, source: 'Kubernetes Indexed Job JOB_COMPLETION_INDEX=1, PERSIAN_RUG_SHARD_COUNT=4' });
    expect(mergeJob).toMatchObject({ kind: 'Job', metadata: { name: 'persian-rug-merge' }, spec: { completions: 1 } });
    expect(mergeJob.spec.template.spec.containers[0].command).toEqual(['sh', '-c', 'exec node /usr/local/lib/node_modules/persian-rug/bin/persian-rug.js merge /results/task-*.jsonl --out /results/results.jsonl --strict --force']);
  });
});

describe('persian-rug slurm: bad input is one line, exit 2, nothing written', () => {
  it.each([
    [['--tasks', '3', '--dir', 'D', '--out', 'x.jsonl'], /--out is set by persian-rug slurm for each task/],
    [['--tasks', '3', '--dir', 'D', '--shard', '1/3'], /--shard is set by persian-rug slurm/],
    [['--tasks', '3', '--dir', 'D', '--resume'], /--resume is set by persian-rug slurm/],
    [['--tasks', '0', '--dir', 'D'], /tasks \(--tasks\) = 0 is not an integer in \[1, 100000\]/],
    [['--dir', 'D'], /--tasks is required/],
    [['--tasks', '3'], /--dir DIR is required/],
    [['--tasks', '3', '--dir', 'a b'], /--dir a b: a folder name without spaces/],
    [['--tasks', '3', '--dir', 'D', '--time', 'soon'], /--time soon is not a Slurm time/],
    [['--tasks', '3', '--kubernetes'], /--kubernetes needs --image IMAGE/],
    [['--tasks', '3', '--dir', 'D', '--image', 'x'], /--image goes with --kubernetes/],
    [['--tasks', '3', '--dir', 'D', '--wait', '--dry-run'], /nothing to --wait for/],
    [['--tasks', '3', '--dir', 'D', '--p', '2'], /featureProbability \(--p\) = 2 is not a number in \(0, 1\]/],
    [['--tasks', '3', '--dir', 'D', '--tasks', '4'], /--tasks is given twice/],
  ])('%j', async (bad, message) => {
    const cwd = await mkdtemp(join(tmpdir(), 'slurm-'));
    const argv = [...GRID.filter((a, i) => !(bad.includes('--p') && (a === '--p' || GRID[i - 1] === '--p'))), ...bad.map((a) => (a === 'D' ? join(cwd, 'run') : a))];
    const { code, stdout, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    expect(stderr.filter((l) => l.startsWith('persian-rug slurm: '))).toEqual([expect.stringMatching(message)]);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('without sbatch on PATH: exit 2 saying so, nothing written', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'slurm-'));
    vi.stubEnv('PATH', cwd);
    try {
      const { code, stderr } = await run(...GRID, '--tasks', '2', '--dir', join(cwd, 'run'));
      expect(code).toBe(2);
      expect(stderr[stderr.length - 1]).toBe('persian-rug slurm: sbatch is not on PATH (not a Slurm login node?); --dry-run prints the scripts, --kubernetes a Kubernetes Job');
    } finally {
      vi.unstubAllEnvs();
    }
    expect(await readdir(cwd)).toEqual([]);
  });
});
