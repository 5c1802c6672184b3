// Output paths checked up front in bounded time (src/io/outputPath.ts), mkdir -p that cannot spin, stale temp files.
import { describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputPath, makeDirectory, removeStaleTemps } from '../../src/io/outputPath.js';
import { writeFileAtomic } from '../../src/io/runRecord.js';

const fresh = () => mkdtemp(join(tmpdir(), 'pr-outpath-'));

describe('checkOutputPath', () => {
  test.each([
    ['/proc/x', 'directory', /--out \/proc\/x is under \/proc, a system file system/],
    ['/proc/self/x/y', 'file', /is under \/proc/],
    ['/sys/kernel/x', 'directory', /is under \/sys/],
    ['/dev/null/x', 'file', /is under \/dev/],
  ] as const)('%s (%s) is refused', async (path, kind, message) => {
    await expect(checkOutputPath({ flag: '--out', path, kind })).rejects.toThrow(message);
  });

  test('a file where a folder is meant, a folder where a file is meant, a file in the middle of the path', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'f'), 'x');
    await expect(checkOutputPath({ flag: '--out', path: join(dir, 'f'), kind: 'directory' })).rejects.toThrow(/ is a file; --out takes a directory/);
    await expect(checkOutputPath({ flag: '--png', path: dir, kind: 'file' })).rejects.toThrow(/ is a directory; --png takes a file name/);
    await expect(checkOutputPath({ flag: '--out', path: join(dir, 'f', 'g', 'h'), kind: 'directory' })).rejects.toThrow(/a part of the path is a file|is a file, not a directory/);
  });

  test('existing targets need the caller to allow them; an empty folder may be allowed', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'f.jsonl'), 'x');
    await expect(checkOutputPath({ flag: '--out', path: join(dir, 'f.jsonl'), kind: 'file' })).rejects.toThrow(/exists; add --force to replace it/);
    expect((await checkOutputPath({ flag: '--out', path: join(dir, 'f.jsonl'), kind: 'file', existing: 'allow' })).exists).toBe(true);
    await mkdir(join(dir, 'empty'));
    expect((await checkOutputPath({ flag: '--out', path: join(dir, 'empty'), kind: 'directory', existing: 'empty-ok' })).exists).toBe(true);
    await expect(checkOutputPath({ flag: '--out', path: dir, kind: 'directory', existing: 'empty-ok' })).rejects.toThrow(/exists and is not empty/);
    const missing = await checkOutputPath({ flag: '--out', path: join(dir, 'a', 'b', 'c'), kind: 'directory' });
    expect(missing).toEqual({ exists: false, ancestor: dir });
  });

  test('free space: a prediction larger than the disk is refused with both sizes', async () => {
    const dir = await fresh();
    await expect(checkOutputPath({ flag: '--out', path: join(dir, 'x'), kind: 'directory', bytes: 1e18 })).rejects.toThrow(/needs about 1.00e\+6 TB|needs about 1000000 TB|needs about .* and .* has .* free/);
  });
});

describe('makeDirectory and temp files', () => {
  test('makes every missing component; refuses where a file is in the way; fails (not spins) under /proc', async () => {
    const dir = await fresh();
    await makeDirectory(join(dir, 'a', 'b', 'c'));
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['c']);
    await makeDirectory(join(dir, 'a', 'b', 'c')); // again: nothing to do
    await writeFile(join(dir, 'f'), 'x');
    await expect(makeDirectory(join(dir, 'f', 'g'))).rejects.toThrow(/ENOTDIR/);
    await expect(makeDirectory('/proc/persian-rug-x/y')).rejects.toThrow(/ENOENT|EACCES|EPERM/);
  });

  test('writeFileAtomic leaves no temp file when the rename fails (a folder in the way), and names the file', async () => {
    const dir = await fresh();
    await mkdir(join(dir, 'run1'));
    await writeFile(join(dir, 'run1', 'keep'), 'x');
    await expect(writeFileAtomic(join(dir, 'run1'), 'data')).rejects.toThrow(/cannot write .*run1: /);
    expect((await readdir(dir)).sort()).toEqual(['run1']);
  });

  test('removeStaleTemps removes temp files of dead processes next to a path, keeps those of live ones and other files', async () => {
    const dir = await fresh();
    const path = join(dir, 'results.jsonl');
    await writeFile(path, '');
    await writeFile(`${path}.tmp-999999999-1`, 'stale');
    await writeFile(`${path}.tmp-${process.ppid}-2`, 'live parent');
    await writeFile(join(dir, 'other.tmp-999999999-1'), 'not ours to judge');
    await removeStaleTemps(path);
    expect((await readdir(dir)).sort()).toEqual(['other.tmp-999999999-1', 'results.jsonl', `results.jsonl.tmp-${process.ppid}-2`]);
  });
});
