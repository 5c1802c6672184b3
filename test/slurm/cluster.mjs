// A real single-node Slurm (munged, slurmctld, slurmd in a temp dir) running `persian-rug slurm ... --wait`: the merged
// file has every cell once with the values of a one-process sweep, also after a task is killed mid-run and requeued.
// Prints `N passed, N failed` last (or `slurm tests SKIPPED: reason` where Slurm is not installed). Run from the repo
// root after `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const started = Date.now();
const bin = resolve('bin/persian-rug.js');
const GRID = ['--kind', 'theory,rug,trained', '--n', '32,64', '--r', '0.25', '--p', '0.05,0.1,0.2', '--seeds', '2', '--steps', '2000',
  '--batch', '256', '--eval-samples', '4096', '--stat-samples', '200', '--rug-samples', '2000'];
const CELLS = 2 * 3 + 2 * 3 * 2 + 2 * 3 * 2;
let passed = 0, failed = 0;
const daemons = [];

function log(line) { process.stdout.write(`${line}\n`); }
function check(name, ok, detail = '') {
  if (ok) { passed++; log(`  ✓ ${name}`); } else { failed++; log(`  ✗ ${name}${detail ? `: ${detail}` : ''}`); }
}
function which(command) {
  for (const dir of (process.env.PATH + ':/usr/sbin:/sbin').split(':')) if (dir && existsSync(join(dir, command))) return join(dir, command);
  return null;
}
function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => done(port)); });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function skip(reason) {
  log(`slurm tests SKIPPED: ${reason}`);
  log('0 passed, 0 failed');
  process.exit(0);
}

const needed = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'scancel', 'sinfo'];
const missing = needed.filter((c) => !which(c));
if (missing.length) skip(`not installed: ${missing.join(', ')} (Debian: apt-get install slurm-wlm munge)`);
if (process.getuid && process.getuid() !== 0) skip('the test cluster runs its daemons as root (SlurmUser=root) and this is not root');
if (!existsSync(bin) || !existsSync('dist/cli/main.js')) { log('slurm tests: run `npm run build` first'); log('0 passed, 1 failed'); process.exit(1); }

const root = mkdtempSync(join(tmpdir(), 'pr-slurm-'));
const conf = join(root, 'slurm.conf');
const env = { ...process.env, SLURM_CONF: conf, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };

function startDaemon(name, command, args) {
  const out = join(root, 'log', `${name}.out`);
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
  child.on('exit', (code, signal) => { child.exited = { code, signal }; });
  daemons.push({ name, child, out });
  return child;
}

async function stopDaemons() {
  for (const { child } of daemons.reverse()) {
    if (!child.exited) try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
  }
  for (const { name, child } of daemons) {
    for (let i = 0; i < 100 && !child.exited; i++) await sleep(100);
    if (!child.exited) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } log(`  (${name} needed SIGKILL)`); }
  }
}

async function cluster() {
  for (const d of ['state', 'spool', 'log', 'run', 'munge']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'munge'), 0o700);
  const key = join(root, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(root, 'munge', 'munge.socket');
  const host = spawnSync('hostname', ['-s'], { encoding: 'utf8' }).stdout.trim();
  const memory = Math.max(1024, Math.floor(totalmem() / 2 ** 20) - 2048);
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  writeFileSync(conf, [
    'ClusterName=persianrugtest', `SlurmctldHost=${host}(127.0.0.1)`, 'SlurmUser=root', 'SlurmdUser=root',
    `SlurmctldPort=${ctldPort}`, `SlurmdPort=${dPort}`, 'AuthType=auth/munge', `AuthInfo=socket=${socket}`,
    `StateSaveLocation=${root}/state`, `SlurmdSpoolDir=${root}/spool`,
    `SlurmctldPidFile=${root}/run/slurmctld.pid`, `SlurmdPidFile=${root}/run/slurmd.pid`,
    `SlurmctldLogFile=${root}/log/slurmctld.log`, `SlurmdLogFile=${root}/log/slurmd.log`,
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core',
    'SchedulerType=sched/backfill', 'SchedulerParameters=sched_interval=1', 'ReturnToService=2', 'MpiDefault=none',
    'JobAcctGatherType=jobacct_gather/none', 'AccountingStorageType=accounting_storage/none', 'JobCompType=jobcomp/none',
    'MinJobAge=600', 'MailProg=/bin/true',
    `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus().length} RealMemory=${memory} State=UNKNOWN`,
    `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`, '',
  ].join('\n'));
  startDaemon('munged', which('munged'), ['--force', '--foreground', `--socket=${socket}`, `--key-file=${key}`,
    `--log-file=${root}/log/munged.log`, `--pid-file=${root}/munge/munged.pid`, `--seed-file=${root}/munge/seed`]);
  for (let i = 0; i < 50 && !existsSync(socket); i++) await sleep(100);
  if (!existsSync(socket)) throw new Error(`munged did not start (${root}/log/munged.log)`);
  startDaemon('slurmctld', which('slurmctld'), ['-D', '-i', '-f', conf]);
  await sleep(1000);
  startDaemon('slurmd', which('slurmd'), ['-D', '-N', host, '-f', conf]);
  for (let i = 0; i < 60; i++) {
    const state = spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' }).stdout.trim();
    if (state === 'idle') return host;
    await sleep(500);
  }
  throw new Error(`the node did not become idle: ${spawnSync('sinfo', [], { env, encoding: 'utf8' }).stdout} (logs in ${root}/log)`);
}

/** Fields that may differ between runs of the same cell: timings, and the shard a task wrote. */
function comparable(record) {
  const { seconds: _s, finishedAt: _f, shard: _shard, training, ...rest } = record;
  if (!training) return rest;
  const { samplesPerSecond: _r, ...kept } = training;
  return { ...rest, training: kept };
}

function readRecords(path) {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function compareWithSingle(merged, single, label) {
  const keys = merged.map((r) => r.key);
  check(`${label}: the merged file has all ${CELLS} cells, each exactly once`, keys.length === CELLS && new Set(keys).size === CELLS, `${keys.length} records, ${new Set(keys).size} distinct`);
  const byKey = new Map(single.map((r) => [r.key, r]));
  const differing = merged.filter((r) => JSON.stringify(comparable(r)) !== JSON.stringify(comparable(byKey.get(r.key) ?? {})));
  check(`${label}: every record equals the one-process sweep's (losses, statistics, histograms, rug fits; timings aside)`, differing.length === 0,
    differing.slice(0, 3).map((r) => r.key).join(', '));
}

function runCli(args, options = {}) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

async function main() {
  log('slurm: a single-node cluster (munged, slurmctld, slurmd) in ' + root);
  const host = await cluster();
  log(`  node ${host} idle after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const single = join(root, 'single.jsonl');
  const one = spawnSync(process.execPath, [bin, 'sweep', ...GRID, '--workers', '1', '--out', single], { encoding: 'utf8' });
  if (one.status !== 0) throw new Error(`the one-process sweep failed: ${one.stderr}`);
  const reference = readRecords(single);

  // 1: a 3-task array and its merge job, followed to the end
  const dir1 = join(root, 'run1');
  const first = await runCli(['slurm', ...GRID, '--tasks', '3', '--dir', dir1, '--wait', '--poll', '1']);
  check('slurm --wait exits 0 once the merge job has completed', first.code === 0, `exit ${first.code}: ${first.stderr.slice(-800)}`);
  check('it printed each task\'s predicted time and the merge report', /predicted per task on one core \(cost model\): 1: .*, 2: .*, 3: /.test(first.stderr)
    && /grid [0-9a-f]{16}: 30\/30 cells present, complete/.test(first.stdout), first.stdout.slice(-600));
  if (existsSync(join(dir1, 'results.jsonl'))) compareWithSingle(readRecords(join(dir1, 'results.jsonl')), reference, 'array');
  else check('array: DIR/results.jsonl exists', false);
  const taskLogs = [1, 2, 3].map((t) => readFileSync(join(dir1, 'logs', `task-${t}.log`), 'utf8'));
  check('each task found its shard with --shard auto from SLURM_ARRAY_TASK_ID', taskLogs.every((l, i) => l.includes(`SLURM_ARRAY_TASK_ID=${i + 1}, --shard-count=3 (task ids 1..3 are the shards) -> shard ${i + 1}/3`)), taskLogs[0].slice(0, 400));
  const perTask = [1, 2, 3].map((t) => readRecords(join(dir1, `task-${t}.jsonl`)));
  check('the tasks split the cells (every task ran some, each record names its shard)', perTask.every((r, i) => r.length > 0 && r.every((x) => x.shard.index === i + 1 && x.shard.count === 3)));

  // 2: task 2 killed mid-run (scancel --signal=KILL), requeued; the same end result
  const dir2 = join(root, 'run2');
  const second = runCli(['slurm', ...GRID, '--tasks', '3', '--dir', dir2, '--wait', '--poll', '1']);
  const task2 = join(dir2, 'task-2.jsonl');
  let killedAfter = -1;
  for (let i = 0; i < 1200 && killedAfter < 0; i++) {
    await sleep(50);
    if (existsSync(task2) && readFileSync(task2, 'utf8').split('\n').filter(Boolean).length >= 1 && existsSync(join(dir2, 'jobs.json'))) {
      const { array } = JSON.parse(readFileSync(join(dir2, 'jobs.json'), 'utf8'));
      const kill = spawnSync('scancel', ['--signal=KILL', `${array}_2`], { env, encoding: 'utf8' });
      killedAfter = readRecords(task2).length;
      await sleep(300);
      const requeue = spawnSync('scontrol', ['requeue', `${array}_2`], { env, encoding: 'utf8' });
      // a requeued job waits for a begin time about two minutes ahead; start it now
      const release = spawnSync('scontrol', ['update', `JobId=${array}_2`, 'StartTime=now'], { env, encoding: 'utf8' });
      check('scancel --signal=KILL, scontrol requeue and scontrol update StartTime=now succeed', kill.status === 0 && requeue.status === 0 && release.status === 0,
        `${kill.stderr} ${requeue.stderr} ${release.stderr}`);
    }
  }
  const end = await second;
  check('task 2 was killed mid-run (it had written some but not all of its cells)', killedAfter >= 1 && killedAfter < perTask[1].length, `${killedAfter} of ${perTask[1].length}`);
  check('slurm --wait still exits 0 (the merge cancelled by afterok is submitted again)', end.code === 0, `exit ${end.code}: ${end.stderr.slice(-800)}`);
  check('it said why it submitted the merge again', /merge submitted again as job \d+/.test(end.stderr), end.stderr.slice(-400));
  const log2 = existsSync(join(dir2, 'logs', 'task-2.log')) ? readFileSync(join(dir2, 'logs', 'task-2.log'), 'utf8') : '';
  check('the requeued task took over the lock its killed run left, and resumed its file', /restart 1/.test(log2) && /took over the stale lock/.test(log2)
    && new RegExp(`${killedAfter} already in`).test(log2), log2.slice(-800));
  if (existsSync(join(dir2, 'results.jsonl'))) compareWithSingle(readRecords(join(dir2, 'results.jsonl')), reference, 'killed and requeued');
  else check('killed and requeued: DIR/results.jsonl exists', false);
  const task2Keys = readRecords(task2).map((r) => r.key);
  check('the requeued task added no duplicate to its file', task2Keys.length === new Set(task2Keys).size);
}

try {
  await main();
} catch (error) {
  failed++;
  log(`  ✗ ${error.message}`);
  for (const f of ['slurmctld.log', 'slurmd.log']) if (existsSync(join(root, 'log', f))) log(`--- ${f} (tail)\n${readFileSync(join(root, 'log', f), 'utf8').split('\n').slice(-15).join('\n')}`);
} finally {
  spawnSync('scancel', ['--user=root'], { env });
  await stopDaemons();
  if (failed === 0) rmSync(root, { recursive: true, force: true });
}
log(`slurm tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
