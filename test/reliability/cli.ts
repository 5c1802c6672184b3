// Helpers of the reliability suites: the real CLI as a child process (bin/persian-rug.js runs dist/, so `npm run build`
// first), in-process runs through main() with captured output, seeded delays (no Math.random) and directory listings.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/persian-rug.js', import.meta.url));

export interface ChildResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `persian-rug ...args`; with killAfterMs, sends SIGKILL after that many milliseconds (if still running). */
export function runCli(args: readonly string[], killAfterMs?: number): Promise<ChildResult> {
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` before the reliability suites');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** main(argv) in this process with captured stdout/stderr lines; a throw is returned, not raised. */
export async function runMain(argv: readonly string[]): Promise<{ code: number | 'threw'; out: string[]; err: string[]; error?: unknown }> {
  const out: string[] = [], err: string[] = [];
  try {
    const code = await main(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out, err };
  } catch (error) {
    return { code: 'threw', out, err, error };
  }
}

/** Delays in [lo, hi) ms from a 32-bit LCG: reproducible "random" kill moments for a given seed. */
export function seededDelays(seed: number, count: number, lo: number, hi: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor(lo + (hi - lo) * (s / 4294967296));
  });
}

/** Names in dir (sorted), or [] when it does not exist. */
export async function listing(dir: string): Promise<string[]> {
  return readdir(dir).then((names) => names.sort(), () => []);
}

/**
 * main(argv) must exit 2 with one stderr line that contains or matches each of `what`, shows no stack trace,
 * leaves `watch` as it was (nothing written) and does not throw.
 */
export async function expectRefused(argv: readonly string[], watch: string, ...what: (string | RegExp)[]): Promise<void> {
  const before = await listing(watch);
  const r = await runMain(argv);
  expect(r.error).toBeUndefined();
  expect(r.code).toBe(2);
  expect(r.err).toHaveLength(1);
  for (const w of what) {
    if (typeof w === 'string') expect(r.err[0]).toContain(w);
    else expect(r.err[0]).toMatch(w);
  }
  expect(r.err[0]).not.toMatch(/\s+at .*:\d+:\d+/);
  expect(await listing(watch)).toEqual(before);
}
