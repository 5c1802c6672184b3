// Output paths checked before any work, in bounded time: every call here is one stat, access, statfs or mkdir of one
// component (node's recursive mkdir spins forever under /proc), so a bad --out is one line before anything runs.
import { access, constants, mkdir, readdir, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/** A problem with an output path, worded for the flag that named it: "--out /x: ...". */
export class OutputPathError extends Error {}

/** statfs f_type of file systems that hold no user files (writes there never mean what the user wants). */
const PSEUDO_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'], [0x62656572, 'sysfs'], [0x1cd1, 'devpts'], [0x64626720, 'debugfs'], [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'], [0x63677270, 'cgroup2'], [0x74726163, 'tracefs'], [0x42494e4d, 'binfmt_misc'], [0x6165676c, 'pstore'],
]);
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

const code = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

export interface OutputCheck {
  /** The flag that names the path, for the message ("--out"). */
  flag: string;
  path: string;
  /** What the path must be: a directory to write files into, or a file to (re)place. */
  kind: 'directory' | 'file';
  /** Bytes the command will write there (a prediction); checked against the free space when given. */
  bytes?: number;
  /**
   * An existing target: 'refuse' (the default: the message says to add --force), 'allow' (the caller replaces it
   * by the meaning of another flag, e.g. --resume or --force), or 'empty-ok' (a directory may exist if it is empty).
   */
  existing?: 'refuse' | 'allow' | 'empty-ok';
  /** Wording of the refusal of an existing target (default: "exists; add --force to replace it"). */
  existsMessage?: string;
}

/** The result of a check: whether the target exists and the nearest existing ancestor (where it will be created). */
export interface CheckedOutput {
  exists: boolean;
  ancestor: string;
}

/**
 * Checks an output path: its nearest existing ancestor is a directory we may write into, on a real file system
 * (not /proc, /sys, /dev), with room for `bytes`; every missing component below it can be created; the target, if
 * it exists, has the right kind and may be replaced. Throws OutputPathError "--flag PATH: what is wrong".
 */
export async function checkOutputPath(check: OutputCheck): Promise<CheckedOutput> {
  const { flag, path, kind } = check;
  // "--out PATH is a file; ..." / "--out PATH: directory X does not exist"
  const fail = (what: string): never => { throw new OutputPathError(`${flag} ${path}${/^(is|exists|has|contains|needs|cannot)\b/.test(what) ? ' ' : ': '}${what}`); };
  if (path.trim() === '') fail('is empty');
  if (path.includes('\0')) fail('contains a NUL byte');
  const absolute = resolve(path);
  for (const root of PSEUDO_ROOTS) {
    if (absolute === root || absolute.startsWith(root + sep)) fail(`is under ${root}, a system file system that holds no files of ours; choose a directory of your own`);
  }
  let ancestor = absolute;
  let exists = false;
  let targetIsDirectory = false;
  for (let depth = 0; ; depth++) {
    let info;
    try {
      info = await stat(ancestor);
    } catch (error) {
      const why = code(error);
      if (why === 'ENOTDIR') fail(`a part of the path is a file, not a directory`);
      if (why === 'EACCES') fail(`cannot look into ${dirname(ancestor)} (permission denied)`);
      if (why !== 'ENOENT') fail(`cannot be checked (${why})`);
      const parent = dirname(ancestor);
      if (parent === ancestor || depth > 4096) fail('has no existing directory above it');
      ancestor = parent;
      continue;
    }
    if (ancestor === absolute) {
      exists = true;
      targetIsDirectory = info.isDirectory();
      if (kind === 'directory' && !targetIsDirectory) fail(`is a file; ${flag} takes a directory`);
      if (kind === 'file' && targetIsDirectory) fail(`is a directory; ${flag} takes a file name`);
      if (kind === 'directory') break;
      ancestor = dirname(absolute);
      continue;
    }
    if (!info.isDirectory()) fail(`${ancestor} is a file, not a directory`);
    break;
  }
  // a file's folder must exist (we do not guess a tree of folders from a file name); a folder's parents are made
  if (kind === 'file' && ancestor !== dirname(absolute)) fail(`directory ${dirname(absolute)} does not exist`);
  const folder = exists && kind === 'directory' ? absolute : ancestor;
  try {
    await access(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    const why = code(error);
    fail(why === 'EROFS' ? `${folder} is on a read-only file system` : why === 'EACCES' || why === 'EPERM' ? `${folder} is not writable (permission denied)` : `${folder} is not writable (${why})`);
  }
  try {
    const fs = await statfs(folder);
    const pseudo = PSEUDO_FILE_SYSTEMS.get(Number(fs.type));
    if (pseudo) fail(`${folder} is on ${pseudo}, a system file system that holds no files of ours; choose a directory of your own`);
    const free = Number(fs.bavail) * Number(fs.bsize);
    if (check.bytes !== undefined && check.bytes > free) fail(`needs about ${formatSize(check.bytes)} and ${folder} has ${formatSize(free)} free`);
  } catch (error) {
    if (error instanceof OutputPathError) throw error;
    // statfs is missing on some hosts (and platforms); the write itself then reports a full disk, naming the file
  }
  if (exists) {
    const policy = check.existing ?? 'refuse';
    if (policy === 'refuse') fail(check.existsMessage ?? 'exists; add --force to replace it');
    if (policy === 'empty-ok' && targetIsDirectory) {
      const names = await readdir(absolute).catch((error) => fail(`cannot be listed (${code(error)})`));
      if (names.length > 0) fail(check.existsMessage ?? 'exists and is not empty; add --force to replace what is in it');
    }
  }
  return { exists, ancestor };
}

/** 1.2 GB style. */
function formatSize(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes, unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return unit === 0 ? `${Math.round(value)} bytes` : `${value.toPrecision(3)} ${units[unit]}`;
}

/**
 * mkdir -p in bounded time: one mkdir per missing component, from the nearest existing ancestor down (node's
 * recursive mkdir loops forever where mkdir fails with an unexpected code, as under /proc).
 */
export async function makeDirectory(path: string): Promise<void> {
  const absolute = resolve(path);
  const missing: string[] = [];
  let at = absolute;
  for (let depth = 0; depth <= 4096; depth++) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${at} is not a directory`), { code: 'ENOTDIR', path: at });
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'EEXIST') throw error; });
  }
}

/** Name of the temp files writeFileAtomic makes next to `path`: PATH.tmp-PID-TIME. */
const TEMP_MARK = '.tmp-';

/**
 * Removes temp files of earlier runs next to `path` (PATH.tmp-PID-TIME whose PID is not a live process on this
 * host): what a kill between write and rename leaves behind. Bounded by the folder's size; errors are ignored.
 */
export async function removeStaleTemps(path: string): Promise<void> {
  const folder = dirname(resolve(path));
  const base = resolve(path).slice(folder.length + 1);
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(base + TEMP_MARK)) continue;
    const pid = Number(name.slice(base.length + TEMP_MARK.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) continue;
    if (pid === process.pid) continue;
    await rm(join(folder, name), { force: true }).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
