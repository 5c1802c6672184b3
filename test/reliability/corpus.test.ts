// The hostile-input corpus: 300+ bad or hostile invocations over every command, run in-process through main().
// Each case asserts its exit code, a single stderr line (naming the flag or file where it says which), no stack
// trace, nothing on stdout for a refusal, and a byte-for-byte unchanged file tree (hashed before and after).
// A case that fails is "mishandled"; the count is printed at the end (CORPUS: N cases, M mishandled).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from './cli.js';
import { lockFile } from '../../src/io/lock.js';
import { formatRecord } from '../../src/sweep/record.js';
import { decodeSafetensors, encodeSafetensors, CHECKSUM_KEY } from '../../src/io/safetensors.js';

let box: string;
const P = (...parts: string[]) => join(box, ...parts);

/** sha256 over every path, type, link target and file content under `root`. */
async function treeHash(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string, rel: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const path = join(dir, name), r = `${rel}/${name}`;
      const info = await lstat(path);
      if (info.isDirectory()) { hash.update(`d ${r}\n`); await walk(path, r); }
      else if (info.isSymbolicLink()) hash.update(`l ${r} ${await readlink(path)}\n`);
      else { hash.update(`f ${r} ${info.size}\n`); hash.update(await readFile(path)); }
    }
  };
  await walk(root, '');
  return hash.digest('hex');
}

interface Case {
  /** A results file this process holds the writer's lock of while the case runs (a concurrent sweep). */
  hold?: () => string;
  /** The refusal may print on stdout first (a plan or an estimate). */
  stdout?: boolean;
  name: string;
  /** argv; a function when it needs the sandbox path. */
  argv: () => string[];
  /** 2 by default: a usage error, nothing run. */
  code?: number;
  /** The one stderr line must match (default: it names the persian-rug command). */
  message?: RegExp;
}

const cases: Case[] = [];
const add = (name: string, argv: () => string[], message?: RegExp, code = 2) => cases.push({ name, argv, message, code });

// ---- flag values: every numeric flag of every command against values no flag accepts --------------------------------
const BAD_NUMBERS = ['NaN', '0x10', 'abc', '1_000', '1e999', '-1e999', '', ' ', '1,,2', '--json'];
const COMMANDS: Record<string, { base: () => string[]; numeric: string[] }> = {
  train: { base: () => ['--n', '16', '--m', '4', '--steps', '5', '--batch', '8', '--eval-samples', '16', '--threads', '1'], numeric: ['n', 'm', 'ratio', 'p', 'batch', 'lr', 'steps', 'epochs', 'samples-per-epoch', 'seed', 'leaky-slope', 'eval-samples', 'threads', 'checkpoint-every'] },
  theory: { base: () => ['--p', '0.1', '--r', '0.25'], numeric: ['p', 'r', 'n', 'm'] },
  rug: { base: () => ['--n', '16', '--m', '4', '--p', '0.1', '--samples', '1000'], numeric: ['n', 'm', 'ratio', 'p', 'seed', 'epochs', 'row-sets', 'samples', 'block'] },
  measure: { base: () => [P('run')], numeric: ['rows', 'samples', 'seed'] },
  sweep: { base: () => ['--kind', 'theory', '--n', '16', '--r', '0.25', '--p', '0.1', '--workers', '0', '--out', P('new.jsonl')], numeric: ['n', 'r', 'p', 'seeds', 'workers', 'rug-samples', 'rug-epochs', 'rug-row-sets', 'stat-rows', 'stat-samples', 'batch', 'lr', 'steps', 'eval-samples', 'threads'] },
  converge: { base: () => ['--p', '0.1', '--r', '0.25', '--n', '16', '--steps', '5', '--workers', '0', '--rug-samples', '1000'], numeric: ['p', 'r', 'n', 'steps', 'workers', 'rug-samples', 'seed', 'batch', 'lr'] },
  reproduce: { base: () => ['--scale', 'small', '--dry-run', '--out', P('repro')], numeric: ['workers'] },
  plot: { base: () => [P('results.jsonl'), '--out', P('figs')], numeric: ['at-p', 'at-r'] },
  bench: { base: () => ['--tiny', '--no-torch'], numeric: ['repeats'] },
  slurm: { base: () => ['--kind', 'theory', '--n', '16', '--r', '0.25', '--p', '0.1', '--tasks', '2', '--dir', P('cluster'), '--dry-run'], numeric: ['tasks', 'cpus-per-task', 'workers', 'n', 'r', 'p', 'seeds'] },
};

/** base argv without --flag and its value. */
function without(argv: string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${flag}`) { i++; continue; }
    out.push(argv[i]);
  }
  return out;
}

for (const [command, { base, numeric }] of Object.entries(COMMANDS)) {
  for (const flag of numeric) {
    for (const bad of BAD_NUMBERS) {
      // '--json' as a value: the flag has no value (it is the next flag); the message names the flag either way
      add(`${command} --${flag} ${JSON.stringify(bad)}`, () => [command, ...without(base(), flag), `--${flag}`, bad], new RegExp(`--${flag}\\b`));
    }
    add(`${command} --${flag} given twice`, () => [command, ...without(base(), flag), `--${flag}`, '1', `--${flag}`, '1'], new RegExp(`--${flag}\\b`));
    add(`${command} --${flag} at the end with no value`, () => [command, ...without(base(), flag), `--${flag}`], new RegExp(`--${flag}\\b`));
  }
  add(`${command} --bogus`, () => [command, ...base(), '--bogus'], /--bogus/);
  add(`${command} --bogus=1`, () => [command, ...base(), '--bogus=1'], /--bogus/);
  add(`${command} -x`, () => [command, ...base(), '-x'], /-x/);
  add(`${command} --help=yes`, () => [command, ...base(), '--json=maybe'], /--json/);
}

// ---- the cases of the issue's attack, one by one ------------------------------------------------------------------------
add('train --importance geometric:0x1 (hex)', () => ['train', ...COMMANDS.train.base(), '--importance', 'geometric:0x1'], /--importance/);
add('measure --samples 0x10 (hex)', () => ['measure', P('run'), '--samples', '0x10'], /--samples/);
add('train --bias --no-bias', () => ['train', ...COMMANDS.train.base(), '--bias', '--no-bias'], /--bias|--no-bias/);
add('train --no-bias --no-bias', () => ['train', ...COMMANDS.train.base(), '--no-bias', '--no-bias'], /--no-bias/);
add('theory --p 0.1 --p 0.2', () => ['theory', '--p', '0.1', '--p', '0.2', '--r', '0.25'], /--p/);
add('measure --rows 2 --rows 3', () => ['measure', P('run'), '--rows', '2', '--rows', '3'], /--rows/);
add('reproduce --scale small --scale paper', () => ['reproduce', '--scale', 'small', '--scale', 'paper', '--dry-run'], /--scale/);
add('theory --p --r 0.3', () => ['theory', '--p', '--r', '0.3'], /--p/);
add('plot FILE --p --r 0.3', () => ['plot', P('results.jsonl'), '--out', P('figs'), '--at-p', '--at-r', '0.3'], /--at-p/);
add('merge FILE --out --grid x', () => ['merge', P('results.jsonl'), '--out', '--grid', P('results.jsonl')], /--out/);
add('merge: a record with "grid": "x"', () => ['merge', P('grid-x.jsonl'), '--out', P('merged.jsonl')], /grid-x.jsonl: line 1 .*grid = "x" is not a grid spec/);
add('plot: a record with "grid": "x"', () => ['plot', P('grid-x.jsonl'), '--out', P('figs')], /grid-x.jsonl: line 1/);
add('plot: a minimal record (no empty folder left)', () => ['plot', P('minimal.jsonl'), '--out', P('figs')], /minimal.jsonl: line 1/);
add('sweep --resume: a record with "grid": "x"', () => ['sweep', ...without(COMMANDS.sweep.base(), 'out'), '--out', P('grid-x.jsonl'), '--resume'], /grid-x.jsonl: line 1/);
add('measure: weights of another run beside run.json', () => ['measure', P('mixed')], /mixes two runs/);
add('rug --trained: weights of another run', () => ['rug', ...COMMANDS.rug.base(), '--png', P('never.png'), '--trained', P('mixed')], /mixes two runs/);
add('train --resume: checkpoint of another run', () => ['train', '--resume', P('mixed-checkpoint')], /mixes two runs/);
add('measure: weights without their checksum', () => ['measure', P('no-crc')], /no dataCrc32 checksum/);
add('rug --trained: weights without their checksum', () => ['rug', ...COMMANDS.rug.base(), '--png', P('never.png'), '--trained', P('no-crc')], /no dataCrc32 checksum/);
add('train --out DIR over an existing run (no --force)', () => ['train', ...COMMANDS.train.base(), '--out', P('run')], /--out .*run/);
add('rug --png run/run.json (a run record)', () => ['rug', ...COMMANDS.rug.base(), '--png', P('run', 'run.json')], /--png/);
add('rug --png DIR (a folder)', () => ['rug', ...COMMANDS.rug.base(), '--png', P('run')], /--png/);
add('merge --out run/run.json (a run record)', () => ['merge', P('results.jsonl'), '--out', P('run', 'run.json')], /--out/);
add('merge --out an existing results file', () => ['merge', P('results.jsonl'), '--out', P('other.jsonl')], /--out/);
add('sweep --out an existing results file (no --resume, no --force)', () => ['sweep', ...without(COMMANDS.sweep.base(), 'out'), '--out', P('results.jsonl')], /--out|--resume/);
add('plot --out over existing figures', () => ['plot', P('results.jsonl'), '--out', P('figures')], /--out/);

// ---- output paths: checked up front, one line naming the flag and the path, nothing run ---------------------------------
const OUTPUTS: Array<[string, (target: string) => string[], string]> = [
  ['train --out', (t) => ['train', ...COMMANDS.train.base(), '--out', t], '--out'],
  ['train --checkpoint-every --out', (t) => ['train', ...COMMANDS.train.base(), '--checkpoint-every', '2', '--out', t], '--out'],
  ['rug --png', (t) => ['rug', ...COMMANDS.rug.base(), '--png', t], '--png'],
  ['sweep --out', (t) => ['sweep', ...without(COMMANDS.sweep.base(), 'out'), '--out', t], '--out'],
  ['merge --out', (t) => ['merge', P('results.jsonl'), '--out', t], '--out'],
  ['plot --out', (t) => ['plot', P('results.jsonl'), '--out', t], '--out'],
  ['reproduce --out', (t) => ['reproduce', '--scale', 'small', '--out', t], '--out'],
];
const TARGETS: Array<[string, () => string]> = [
  ['/proc/x', () => '/proc/x'],
  ['/proc/self/x/y', () => '/proc/self/x/y'],
  ['/sys/x', () => '/sys/x'],
  ['/dev/null/x', () => '/dev/null/x'],
  ['under a file', () => P('file.txt', 'x')],
  ['deep under a file', () => P('file.txt', 'a', 'b', 'c')],
];
for (const [what, argv, flag] of OUTPUTS) {
  for (const [where, target] of TARGETS) add(`${what} ${where}`, () => argv(target()), new RegExp(`${flag}\\b`));
}
add('train --out FILE (a file where a folder is meant)', () => ['train', ...COMMANDS.train.base(), '--out', P('file.txt')], /--out/);
add('plot --out FILE', () => ['plot', P('results.jsonl'), '--out', P('file.txt')], /--out/);
add('reproduce --out FILE', () => ['reproduce', '--scale', 'small', '--dry-run', '--out', P('file.txt')], /--out/);
add('merge --out DIR', () => ['merge', P('results.jsonl'), '--out', P('emptydir')], /--out/);
add('sweep --out DIR', () => ['sweep', ...without(COMMANDS.sweep.base(), 'out'), '--out', P('emptydir')], /--out/);
add('merge --out missing folder', () => ['merge', P('results.jsonl'), '--out', P('no', 'such', 'merged.jsonl')], /--out/);
add('rug --png missing folder', () => ['rug', ...COMMANDS.rug.base(), '--png', P('no', 'such', 'x.png')], /--png/);

// ---- input files: missing, folders, damaged -----------------------------------------------------------------------------
const READERS: Array<[string, (file: string) => string[]]> = [
  ['merge', (f) => ['merge', f, '--out', P('merged.jsonl')]],
  ['plot', (f) => ['plot', f, '--out', P('figs')]],
  ['sweep --resume', (f) => ['sweep', ...without(COMMANDS.sweep.base(), 'out'), '--out', f, '--resume']],
];
const INPUTS: Array<[string, () => string]> = [
  ['binary garbage', () => P('garbage.jsonl')],
  ['JSON that is not a record', () => P('other-format.jsonl')],
  ['a record with a string n', () => P('string-n.jsonl')],
  ['a record with p = 2', () => P('p2.jsonl')],
  ['a record with a null evalLoss', () => P('null-loss.jsonl')],
  ['a record with an array for theory', () => P('theory-array.jsonl')],
  ['a record whose grid has m > n', () => P('grid-m.jsonl')],
];
for (const [reader, argv] of READERS) for (const [what, file] of INPUTS) add(`${reader}: ${what}`, () => argv(file()), /jsonl/);
add('merge: a missing file', () => ['merge', P('missing.jsonl'), '--out', P('merged.jsonl')], /missing.jsonl/);
add('plot: a missing file', () => ['plot', P('missing.jsonl'), '--out', P('figs')], /missing.jsonl/);
add('plot: a folder as input', () => ['plot', P('emptydir'), '--out', P('figs')], /emptydir/);
add('merge: a folder as input', () => ['merge', P('emptydir'), '--out', P('merged.jsonl')], /emptydir/);
add('merge --grid: not a grid', () => ['merge', P('results.jsonl'), '--out', P('merged.jsonl'), '--grid', P('file.txt')], /--grid/);
for (const [what, dir] of [['a missing folder', 'missing-run'], ['an empty folder', 'emptydir'], ['a file', 'file.txt'], ['damaged run.json', 'bad-runjson'], ['damaged weights', 'bad-weights'], ['cut weights', 'cut-weights']]) {
  add(`measure: ${what}`, () => ['measure', P(dir)], new RegExp(dir.replace('.', '\\.')));
  add(`rug --trained: ${what}`, () => ['rug', ...COMMANDS.rug.base(), '--png', P('never.png'), '--trained', P(dir)], /--trained/);
  add(`rug --trained (no --png): ${what}`, () => ['rug', ...COMMANDS.rug.base(), '--trained', P(dir)], /--trained/);
}
// (train --resume reads only the checkpoint: a damaged run.json or weights beside a sound checkpoint is rewritten)
for (const [what, dir] of [['a missing folder', 'missing-run'], ['an empty folder', 'emptydir'], ['a file', 'file.txt'], ['a damaged checkpoint', 'bad-checkpoint'], ['a cut checkpoint', 'cut-checkpoint']]) {
  add(`train --resume: ${what}`, () => ['train', '--resume', P(dir)], /--resume/);
}

// ---- positional and structural mistakes ---------------------------------------------------------------------------------
add('unknown command', () => ['trian'], /unknown command "trian"/);
add('measure with two run folders', () => ['measure', P('run'), P('run')], /measure/);
add('measure with no run folder', () => ['measure'], /measure/);
add('merge with no file', () => ['merge', '--out', P('merged.jsonl')], /merge/);
add('merge with no --out', () => ['merge', P('results.jsonl')], /--out/);
add('merge --out equal to an input', () => ['merge', P('results.jsonl'), '--out', P('results.jsonl')], /--out/);
add('plot with no file', () => ['plot', '--out', P('figs')], /plot/);
add('plot with no --out', () => ['plot', P('results.jsonl')], /--out/);
add('theory with no --p', () => ['theory', '--r', '0.25'], /--p/);
add('theory --m without --n', () => ['theory', '--p', '0.1', '--m', '4'], /--n|--m/);
add('theory --m > --n', () => ['theory', '--p', '0.1', '--n', '4', '--m', '8'], /--m/);
add('train --m > --n', () => ['train', ...without(COMMANDS.train.base(), 'm'), '--m', '32'], /--m/);
add('train --steps and --epochs', () => ['train', ...COMMANDS.train.base(), '--epochs', '2'], /--steps|--epochs/);
add('train --tied --freeze-in', () => ['train', ...COMMANDS.train.base(), '--tied', '--freeze-in'], /--tied|--freeze-in/);
add('train --checkpoint-every without --out', () => ['train', ...COMMANDS.train.base(), '--checkpoint-every', '2'], /--checkpoint-every/);
add('train --resume with config flags', () => ['train', '--resume', P('run'), '--n', '32'], /--resume|--n/);
add('train --p with n values of the wrong count', () => ['train', ...without(COMMANDS.train.base(), 'p'), '--p', '0.1,0.2'], /--p/);
add('train --backend cuda', () => ['train', ...COMMANDS.train.base(), '--backend', 'cuda'], /--backend/);
add('train --activation softmax', () => ['train', ...COMMANDS.train.base(), '--activation', 'softmax'], /--activation/);
add('train --threads 3', () => ['train', ...COMMANDS.train.base(), '--threads', '3'], /--threads/);
add('train n too large for memory', () => ['train', ...without(without(COMMANDS.train.base(), 'n'), 'm'), '--n', '1000000', '--m', '100000'], /memory|--n|4 GiB/);
add('rug --n not a power of two', () => ['rug', ...without(COMMANDS.rug.base(), 'n'), '--n', '12'], /--n/);
add('rug --m and --ratio', () => ['rug', ...COMMANDS.rug.base(), '--ratio', '0.25'], /--m|--ratio/);
add('rug --fit magic', () => ['rug', ...COMMANDS.rug.base(), '--fit', 'magic'], /--fit/);
add('rug --backend cuda', () => ['rug', ...COMMANDS.rug.base(), '--backend', 'cuda'], /--backend/);
add('sweep --kind nothing', () => ['sweep', ...without(COMMANDS.sweep.base(), 'kind'), '--kind', 'nothing'], /--kind/);
add('sweep --kind rug with n not a power of two', () => ['sweep', ...without(without(COMMANDS.sweep.base(), 'kind'), 'n'), '--kind', 'rug', '--n', '12'], /--kind|--n/);
add('sweep --r and --m', () => ['sweep', ...COMMANDS.sweep.base(), '--m', '4'], /--r|--m/);
add('sweep --shard 0/0', () => ['sweep', ...COMMANDS.sweep.base(), '--shard', '0/0'], /--shard/);
add('sweep --shard 5/2', () => ['sweep', ...COMMANDS.sweep.base(), '--shard', '5/2'], /--shard/);
add('sweep --shard x', () => ['sweep', ...COMMANDS.sweep.base(), '--shard', 'x'], /--shard/);
add('sweep --p 0.1:0.5:0', () => ['sweep', ...without(COMMANDS.sweep.base(), 'p'), '--p', '0.1:0.5:0'], /--p/);
add('sweep --p 0.1:0.5:1e9', () => ['sweep', ...without(COMMANDS.sweep.base(), 'p'), '--p', '0.1:0.5:1e9'], /--p/);
add('sweep --rug-fit magic', () => ['sweep', ...COMMANDS.sweep.base(), '--rug-fit', 'magic'], /--rug-fit/);
add('sweep with no --out', () => ['sweep', ...without(COMMANDS.sweep.base(), 'out')], /--out/);
add('theory --p 0:1:5 (0 is outside (0, 1])', () => ['theory', '--p', '0:1:5', '--r', '0.25'], /--p/);
add('theory --r 1.5', () => ['theory', '--p', '0.1', '--r', '1.5'], /--r/);
add('theory --json --csv', () => ['theory', '--p', '0.1', '--r', '0.25', '--json', '--csv'], /--json|--csv/);
add('plot --format gif', () => ['plot', P('results.jsonl'), '--out', P('figs'), '--format', 'gif'], /--format/);
add('reproduce --scale huge', () => ['reproduce', '--scale', 'huge', '--dry-run'], /--scale/);
cases.push({ name: 'reproduce --scale paper without --yes (prints its estimate first)', argv: () => ['reproduce', '--scale', 'paper', '--out', P('repro')], message: /--yes/, stdout: true });
add('converge --n 0', () => ['converge', ...without(COMMANDS.converge.base(), 'n'), '--n', '0'], /--n/);

// ---- concurrent writers: the results file is being written by a live sweep (this process holds its lock) -------------
for (const [what, argv] of [
  ['sweep', () => ['sweep', ...without(COMMANDS.sweep.base(), 'out'), '--out', P('results.jsonl'), '--resume']],
  ['sweep --force', () => ['sweep', ...without(COMMANDS.sweep.base(), 'out'), '--out', P('results.jsonl'), '--force']],
  ['sweep of a new file', () => ['sweep', ...COMMANDS.sweep.base()]],
  ['merge --force', () => ['merge', P('other.jsonl'), '--out', P('results.jsonl'), '--force']],
] as const) {
  cases.push({ name: `${what} while another sweep writes the file`, argv, message: /is being written by another process: host .*, pid \d+/, hold: () => (argv().includes(P('new.jsonl')) ? P('new.jsonl') : P('results.jsonl')) });
}

// ---- valid but extreme inputs: bounded time, exit 0, nothing written ----------------------------------------------------
const ok = (name: string, argv: () => string[]) => cases.push({ name, argv, code: 0 });
ok('theory --p 1e-12 --r 0.25', () => ['theory', '--p', '1e-12', '--r', '0.25']);
ok('theory --p 1e-300 --r 0.5', () => ['theory', '--p', '1e-300', '--r', '0.5']);
ok('theory --p 5e-324 --r 0.5 --json', () => ['theory', '--p', '5e-324', '--r', '0.5', '--json']);
ok('theory --p 1e-300:1e-200:3 --r 0.001,0.999', () => ['theory', '--p', '1e-300:1e-200:3', '--r', '0.001,0.999']);
ok('theory --p 1 --r 1', () => ['theory', '--p', '1', '--r', '1']);
ok('theory --p 1e-12 --n 1000000 --m 1', () => ['theory', '--p', '1e-12', '--n', '1000000', '--m', '1']);

const mishandled: string[] = [];
let treeBefore: string | undefined;

beforeAll(async () => {
  box = await mkdtemp(join(tmpdir(), 'pr-corpus-'));
  const train = ['train', '--n', '16', '--m', '4', '--steps', '20', '--batch', '16', '--eval-samples', '64', '--threads', '1', '--checkpoint-every', '10'];
  expect((await runMain([...train, '--out', P('run')])).code).toBe(0);
  expect((await runMain([...train, '--seed', '2', '--out', P('run2')])).code).toBe(0);
  expect((await runMain(['sweep', '--kind', 'theory,linear', '--n', '16', '--r', '0.25,0.5', '--p', '0.05,0.1', '--workers', '0', '--out', P('results.jsonl')])).code).toBe(0);
  await cp(P('results.jsonl'), P('other.jsonl'));
  expect((await runMain(['plot', P('results.jsonl'), '--out', P('figures'), '--format', 'svg'])).code).toBe(0);
  await writeFile(P('file.txt'), 'a plain file\n');
  await mkdir(P('emptydir'));
  const record = JSON.parse((await readFile(P('results.jsonl'), 'utf8')).split('\n')[0]);
  const line = (r: unknown) => formatRecord(r as never);
  await writeFile(P('grid-x.jsonl'), line({ ...record, grid: 'x' }));
  await writeFile(P('minimal.jsonl'), JSON.stringify({ format: 'persian-rug/sweep/1', key: 'k', kind: 'theory', n: 16, m: 4, p: 0.1, evalLoss: 0.01 }) + '\n');
  await writeFile(P('garbage.jsonl'), Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff));
  await writeFile(P('other-format.jsonl'), '{"format":"other"}\n');
  await writeFile(P('string-n.jsonl'), line({ ...record, n: 'sixteen' }));
  await writeFile(P('p2.jsonl'), line({ ...record, p: 2 }));
  await writeFile(P('null-loss.jsonl'), line({ ...record, evalLoss: null }));
  await writeFile(P('theory-array.jsonl'), line({ ...record, theory: [] }));
  await writeFile(P('grid-m.jsonl'), line({ ...record, grid: { ...record.grid, ratio: undefined, m: [64] } }));
  await cp(P('run'), P('mixed'), { recursive: true });
  await cp(P('run2', 'weights.safetensors'), P('mixed', 'weights.safetensors'));
  await cp(P('run'), P('mixed-checkpoint'), { recursive: true });
  await cp(P('run2', 'checkpoint.safetensors'), P('mixed-checkpoint', 'checkpoint.safetensors'));
  await cp(P('run'), P('no-crc'), { recursive: true });
  const weights = new Uint8Array(await readFile(P('run', 'weights.safetensors')));
  const { tensors, metadata } = decodeSafetensors(weights, 'w');
  const { [CHECKSUM_KEY]: _crc, ...rest } = metadata;
  await writeFile(P('no-crc', 'weights.safetensors'), encodeSafetensors(tensors, rest));
  await cp(P('run'), P('bad-runjson'), { recursive: true });
  await writeFile(P('bad-runjson', 'run.json'), '{"config": ');
  await cp(P('run'), P('bad-weights'), { recursive: true });
  const flipped = weights.slice(); flipped[flipped.length - 5] ^= 0x40;
  await writeFile(P('bad-weights', 'weights.safetensors'), flipped);
  const checkpoint = new Uint8Array(await readFile(P('run', 'checkpoint.safetensors')));
  await cp(P('run'), P('bad-checkpoint'), { recursive: true });
  const flippedCheckpoint = checkpoint.slice(); flippedCheckpoint[flippedCheckpoint.length - 5] ^= 0x40;
  await writeFile(P('bad-checkpoint', 'checkpoint.safetensors'), flippedCheckpoint);
  await cp(P('run'), P('cut-checkpoint'), { recursive: true });
  await writeFile(P('cut-checkpoint', 'checkpoint.safetensors'), checkpoint.subarray(0, checkpoint.length >> 1));
  await cp(P('run'), P('cut-weights'), { recursive: true });
  await writeFile(P('cut-weights', 'weights.safetensors'), weights.subarray(0, 100));
}, 120_000);

afterAll(() => {
  // the corpus's own summary line, read by people and by scripts/test.mjs alike
  console.log(`CORPUS: ${cases.length} cases, ${mishandled.length} mishandled${mishandled.length ? `: ${mishandled.slice(0, 20).join('; ')}` : ''}`);
});

describe(`hostile-input corpus (${cases.length} cases)`, () => {
  test('has at least 300 cases', () => { expect(cases.length).toBeGreaterThanOrEqual(300); });
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const lock = c.hold ? await lockFile(c.hold(), 'a sweep of the corpus') : undefined;
    // the tree as the last case left it (hashed once per case: after it), plus the lock file held for this one
    const before = lock ? await treeHash(box) : (treeBefore ??= await treeHash(box));
    const argv = c.argv();
    const r = await runMain(argv);
    try {
      expect(r.error, 'threw instead of a message').toBeUndefined();
      expect(r.code, `exit code; stderr: ${r.err.join(' | ')}`).toBe(c.code ?? 2);
      const stack = /\n\s+at |\bat .*\.(js|ts):\d+:\d+|TypeError|ReferenceError|Cannot read properties/;
      for (const line of [...r.err, ...r.out]) expect(line, 'a stack trace or an internal error').not.toMatch(stack);
      if ((c.code ?? 2) !== 0) {
        expect(r.err, 'exactly one message line').toHaveLength(1);
        expect(r.err[0], 'one line').not.toContain('\n');
        if (!c.stdout) expect(r.out, 'nothing on stdout').toEqual([]);
        expect(r.err[0]).toMatch(/^persian-rug\b/);
        if (c.message) expect(r.err[0]).toMatch(c.message);
      } else {
        expect(r.err, 'no warnings').toEqual([]);
      }
      const after = await treeHash(box);
      if (!lock) treeBefore = after;
      expect(after, 'the file tree changed').toBe(before);
    } catch (error) {
      mishandled.push(name);
      throw error;
    } finally {
      await lock?.release();
    }
  });
});
