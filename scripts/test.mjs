// `npm test`: as-pect specs, vitest suites, the typecheck, publint + attw on the packed package, the browser tests, the consumer matrix and a real Slurm cluster; prints `N passed, N failed` as its last line.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const run = (cmd, args, extraEnv = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...extraEnv }, maxBuffer: 1 << 28 });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  return { status: r.status ?? 1, out: stripAnsi((r.stdout ?? '') + (r.stderr ?? '')) };
};
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const only = process.argv.slice(2);
const want = (stage) => only.length === 0 || only.includes(stage);
let passed = 0;
let failed = 0;
const stages = [];

if (want('build')) {
  const r = run('npm', ['run', '--silent', 'build']);
  if (r.status !== 0) { failed++; stages.push('build: FAILED'); } else stages.push('build: ok');
}

if (want('as')) {
  const r = run(npx, ['asp', '--config', 'as-pect.config.js']);
  const m = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(r.out);
  if (m) {
    const ok = Number(m[1]), total = Number(m[2]);
    passed += ok; failed += total - ok;
    stages.push(`as-pect: ${ok} passed, ${total - ok} failed`);
  } else { failed++; stages.push('as-pect: did not run (see output above)'); }
  if (r.status !== 0 && m && Number(m[1]) === Number(m[2])) { failed++; stages.push('as-pect: exited with an error'); }
}

if (want('unit')) {
  const report = '.vitest-results.json';
  rmSync(report, { force: true });
  const r = run(npx, ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests; failed += json.numFailedTests;
    const suiteErrors = json.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0).length;
    failed += suiteErrors;
    stages.push(`vitest: ${json.numPassedTests} passed, ${json.numFailedTests + suiteErrors} failed`);
    // the hostile-input corpus (test/reliability/corpus.test.ts) prints its own line: cases and mishandled ones
    const corpus = /CORPUS: (\d+) cases, (\d+) mishandled/.exec(r.out);
    if (corpus) stages.push(`  hostile-input corpus: ${corpus[1]} cases, ${corpus[2]} mishandled`);
  } catch {
    failed++; stages.push(`vitest: no report (exit ${r.status})`);
  }
}

if (want('typecheck')) {
  const r = run(npx, ['tsc', '-p', 'tsconfig.test.json', '--noEmit']);
  if (r.status === 0) { passed++; stages.push('typecheck: ok'); } else { failed++; stages.push('typecheck: FAILED'); }
}

if (want('package')) {
  // The ecosystem's checkers on what `npm pack` ships: publint (package.json against the files) and attw (types
  // resolve under node16 and bundler; the package is ESM-only, and ./wasm, ./wasm/threads are wasm files, not modules).
  const lint = run(npx, ['publint', '--strict']);
  const lintOk = lint.status === 0 && /All good!/.test(lint.out);
  const types = run(npx, ['attw', '--pack', '.', '--profile', 'esm-only', '--exclude-entrypoints', './wasm', './wasm/threads']);
  const typesOk = types.status === 0 && !/💀|❌|⚠️/.test(types.out.split('\n').filter((line) => !line.includes('(ignored')).join('\n'));
  passed += Number(lintOk) + Number(typesOk);
  failed += Number(!lintOk) + Number(!typesOk);
  stages.push(`package: publint ${lintOk ? 'ok' : 'FAILED'}, attw ${typesOk ? 'ok' : 'FAILED'}`);
}

if (want('browser')) {
  // test/browser/page.mjs: the built page in headless Chromium and Firefox ESR; prints `N passed, N failed` (and a SKIPPED line per missing browser).
  const r = run(process.execPath, ['test/browser/page.mjs']);
  const counts = [...r.out.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  const skipped = [...r.out.matchAll(/browser tests SKIPPED for (.*)$/gm)].map((m) => m[1]).join('; ');
  if (counts) {
    const ok = Number(counts[1]), bad = Number(counts[2]);
    passed += ok; failed += bad;
    stages.push(`browser: ${ok} passed, ${bad} failed${skipped ? ` (SKIPPED: ${skipped})` : ''}`);
    if (r.status !== 0 && bad === 0) { failed++; stages.push('browser: exited with an error'); }
  } else { failed++; stages.push(`browser: no report (exit ${r.status})`); }
}

if (want('consumers')) {
  // test/consumers/run.mjs: `npm pack` installed into a fresh app and run in node, the CLI, Deno, Bun and bundled pages
  // in Chromium and Firefox ESR; one check per host x (defaults, 1 thread, 2 threads). Prints `N passed, N failed`.
  const r = run(process.execPath, ['test/consumers/run.mjs']);
  const counts = [...r.out.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  if (counts) {
    const ok = Number(counts[1]), bad = Number(counts[2]);
    passed += ok; failed += bad;
    stages.push(`consumers: ${ok} passed, ${bad} failed`);
    if (r.status !== 0 && bad === 0) { failed++; stages.push('consumers: exited with an error'); }
  } else { failed++; stages.push(`consumers: no report (exit ${r.status})`); }
}

if (want('slurm')) {
  // test/slurm/cluster.mjs: a real single-node Slurm running `persian-rug slurm --wait`; prints `N passed, N failed`
  // (or SKIPPED where Slurm is not installed or this is not root).
  const r = run(process.execPath, ['test/slurm/cluster.mjs']);
  const counts = [...r.out.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  const skipped = /slurm tests SKIPPED: (.*)$/m.exec(r.out);
  if (counts) {
    const ok = Number(counts[1]), bad = Number(counts[2]);
    passed += ok; failed += bad;
    stages.push(`slurm: ${ok} passed, ${bad} failed${skipped ? ` (SKIPPED: ${skipped[1]})` : ''}`);
    if (r.status !== 0 && bad === 0) { failed++; stages.push('slurm: exited with an error'); }
  } else { failed++; stages.push(`slurm: no report (exit ${r.status})`); }
}

console.log(`\n${stages.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
