// `persian-rug merge` through runMerge: shard files joined, gaps and duplicates reported, bad input exit 2.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../helpers.js';
import { describe, expect, it } from 'vitest';
import { runMerge } from '../../src/cli/merge.js';
import { runSweep } from '../../src/cli/sweep.js';
import { parseResults } from '../../src/sweep/record.js';

const run = runCommand;

const GRID = ['--kind', 'theory,linear', '--n', '32', '--r', '0.25,0.5', '--p', '0.05,0.1,0.2', '--workers', '0'];
const CELLS = 2 * 2 * 3;

async function shards(dir: string, count: number): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const out = join(dir, `shard${i}.jsonl`);
    expect((await run(runSweep, ...GRID, '--shard', `${i + 1}/${count}`, '--out', out)).code).toBe(0);
    files.push(out);
  }
  return files;
}

describe('persian-rug merge', () => {
  it('joins shards into one complete file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'merge-'));
    const files = await shards(dir, 3);
    const out = join(dir, 'all.jsonl');
    const { code, stdout } = await run(runMerge, ...files, '--out', out, '--strict');
    expect(code).toBe(0);
    expect(stdout.join('\n')).toMatch(new RegExp(`${CELLS}/${CELLS} cells present, complete`));
    const keys = parseResults(await readFile(out, 'utf8')).records.map((r) => r.key);
    expect(new Set(keys).size).toBe(CELLS);
    expect(keys).toHaveLength(CELLS);
  });

  it('reports missing cells (a lost shard) and duplicates (a shard given twice); --strict exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'merge-'));
    const files = await shards(dir, 3);
    const lost = parseResults(await readFile(files[1], 'utf8')).records.map((r) => r.key);
    const shard0 = parseResults(await readFile(files[0], 'utf8')).records.length;
    const out = join(dir, 'all.jsonl');
    const { code, stdout } = await run(runMerge, files[0], files[2], files[0], '--out', out, '--json', '--strict');
    expect(code).toBe(1);
    const report = JSON.parse(stdout[stdout.length - 1]);
    expect(report.grids[0].missing.sort()).toEqual(lost.sort());
    expect(report.duplicates).toHaveLength(shard0);
    expect(report.duplicates[0].sources).toEqual([files[0], files[0]]);
    expect(parseResults(await readFile(out, 'utf8')).records).toHaveLength(CELLS - lost.length);
    // the records say their shard, so the report names the task whose cells are missing
    expect(report.grids[0].shards).toEqual({ count: 3, byShard: [
      { index: 1, expected: shard0, missing: 0 }, { index: 2, expected: lost.length, missing: lost.length }, { index: 3, expected: CELLS - shard0 - lost.length, missing: 0 },
    ] });
    const text = await run(runMerge, files[0], files[2], '--out', join(dir, 'again.jsonl'));
    expect(text.stdout).toContain(`  shard 2/3 (array task 2): ${lost.length} of its ${lost.length} cells missing; rerun it with sweep --shard 2/3 --resume`);
    expect(parseResults(await readFile(files[0], 'utf8')).records.every((r) => r.shard?.index === 1 && r.shard.count === 3)).toBe(true);
  });

  it('checks against --grid from sweep --dry-run --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'merge-'));
    const files = await shards(dir, 2);
    const plan = await run(runSweep, ...GRID.map((a) => (a === '0.05,0.1,0.2' ? '0.05,0.1,0.2,0.4' : a)), '--dry-run', '--json');
    const grid = join(dir, 'grid.json');
    await writeFile(grid, plan.stdout[plan.stdout.length - 1]);
    const { code, stdout } = await run(runMerge, ...files, '--out', join(dir, 'all.jsonl'), '--grid', grid, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout[stdout.length - 1]);
    expect(report.grids[0].missing).toHaveLength(2 * 2);
  });

  it('exit 2 with one line: no inputs, missing file, no --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'merge-'));
    for (const argv of [['--out', join(dir, 'x')], [join(dir, 'nope.jsonl'), '--out', join(dir, 'x')], [join(dir, 'nope.jsonl')]]) {
      const { code, stderr } = await run(runMerge, ...argv);
      expect(code).toBe(2);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(/^persian-rug merge: /);
    }
  });
});
