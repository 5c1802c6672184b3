// Pool speed: the same batch of independent jobs on 1 worker and on N workers (default 2); prints the ratio.
// Run against the built package: `npm run build && node bench/pool.mjs [workers] [jobs]`.
import os from 'node:os';
import { createTrainer, createTrainerPool, hardwareConcurrency, weightsFingerprint } from '../dist/index.js';

const workers = Number(process.argv[2] ?? 2);
const jobCount = Number(process.argv[3] ?? 2 * workers);
const base = { nFeatures: 256, nHidden: 64, featureProbability: 0.045, batch: 1024, steps: 300, evalSamples: 4096 };
const jobs = Array.from({ length: jobCount }, (_, i) => ({ config: { ...base, seed: i + 1 } }));

async function timed(size) {
  const pool = await createTrainerPool({ size });
  try {
    await pool.runAll(Array.from({ length: size }, (_, i) => ({ config: { ...base, steps: 20, seed: 100 + i } }))); // warm up every worker
    const start = performance.now(), cpuStart = process.cpuUsage();
    const outcomes = await pool.runAll(jobs);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const busyCores = (cpu.user + cpu.system) / 1e6 / seconds; // CPU seconds of all threads per wall second
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length) throw new Error(`pool of ${size}: ${failed.length} jobs failed: ${failed[0].error.message}`);
    return { seconds, busyCores, hashes: outcomes.map((o) => weightsFingerprint(o.weights)), slots: new Set(outcomes.map((o) => o.slot)).size };
  } finally {
    pool.terminate();
  }
}

// Check before timing: one job in-process gives the pool's weights.
const local = await createTrainer(jobs[0].config);
await local.run();
const expected = weightsFingerprint(await local.weights());
local.dispose();

const one = await timed(1);
const many = await timed(workers);
if (one.hashes[0] !== expected || one.hashes.join() !== many.hashes.join()) throw new Error('pool results differ from the in-process run or between pool sizes');
console.log(`${jobCount} jobs of n = ${base.nFeatures}, m = ${base.nHidden}, batch ${base.batch}, ${base.steps} steps`);
console.log(`1 worker: ${one.seconds.toFixed(2)} s (${one.busyCores.toFixed(2)} cores busy); ${workers} workers (${many.slots} used): ${many.seconds.toFixed(2)} s (${many.busyCores.toFixed(2)} cores busy); speed-up ${(one.seconds / many.seconds).toFixed(2)}x`);
console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (other processes on the machine lower the speed-up)`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${await hardwareConcurrency()} logical cores; node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
