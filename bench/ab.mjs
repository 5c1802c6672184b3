// `node bench/ab.mjs --base-release old/release.wasm --base-threads old/threads.wasm [--quick | --tiny] [--repeats N]`:
// the benchmark of `persian-rug bench` (src/bench/measure.ts) with a baseline build of the kernels timed in the same
// interleaved rounds as the current build (build/), as extra peer rows beside PyTorch, so a kernel change's
// speed-up and both builds' ratios to PyTorch come from one run under one machine load. The baseline must train
// to the same losses (it is checked like any peer; a speed change that keeps results bit-identical passes
// exactly). Prints the usual report, then per shape the medians of both builds against PyTorch. Needs
// `npm run build`; build a baseline with e.g.
//   git archive <commit> assembly asconfig.json | tar -x -C /tmp/old && cd /tmp/old && ln -s <repo>/node_modules &&
//   npx asc assembly/index.ts --target release -o release.wasm && npx asc assembly/index.ts --target threads -o threads.wasm
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { runBenchmark } from '../dist/bench/measure.js';
import { formatBenchReport } from '../dist/bench/format.js';
import { createTrainer } from '../dist/train/trainer.js';
import { startTorch } from '../dist/cli/bench.js';

const args = process.argv.slice(2);
const arg = (name) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const mode = args.includes('--quick') ? 'quick' : args.includes('--tiny') ? 'tiny' : 'full';
const base = { wasm: readFileSync(arg('base-release')), threadsWasm: readFileSync(arg('base-threads')) };
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const environment = { machine: `${os.cpus()[0]?.model?.trim()}, ${os.availableParallelism()} cores`, runtime: `node ${process.version}`, 'load average at start': load() };
const torch = startTorch([1]);
environment.pytorch = torch.note;
const basePeer = (threads) => ({
  name: `baseline build, ${threads} thread${threads > 1 ? 's' : ''}`,
  threads,
  async run(shape) {
    const trainer = await createTrainer({
      nFeatures: shape.nFeatures, nHidden: shape.nHidden, featureProbability: shape.featureProbability, batch: shape.batch,
      steps: shape.steps, threads, backend: 'wasm', seed: 1, evalSamples: 64,
    }, base);
    try {
      const result = await trainer.run({});
      return { samplesPerSecond: result.samplesPerSecond, warmupSteps: 0, steps: shape.steps, lossHistory: result.lossHistory, version: 'baseline' };
    } finally {
      trainer.dispose();
    }
  },
});
try {
  const report = await runBenchmark({
    mode, repeats: arg('repeats') ? Number(arg('repeats')) : undefined, peers: [...torch.peers, basePeer(1), basePeer(2)], environment,
    onProgress: (m) => console.error(`ab: ${m}`),
  });
  report.environment['load average at end'] = load();
  for (const line of formatBenchReport(report)) console.log(line);
  console.log('');
  for (const s of report.shapes) {
    const med = (name) => s.rows.find((r) => r.implementation === name && (r.kind === 'peer' || r.steps[1] === s.shape.steps))?.samplesPerSecond.median;
    const t = s.rows.find((r) => r.implementation.startsWith('PyTorch'))?.samplesPerSecond.median;
    const f = (v) => (v && t ? `${(v / t).toFixed(2)}x` : 'n/a');
    console.log(`${s.shape.name}: vs PyTorch 1 thread (medians, same rounds): current 1 thread ${f(med('wasm, 1 thread'))}, baseline 1 thread ${f(med('baseline build, 1 thread'))}; `
      + `current 2 threads ${f(med('wasm, 2 threads'))}, baseline 2 threads ${f(med('baseline build, 2 threads'))}; `
      + `current / baseline: 1 thread ${(med('wasm, 1 thread') / med('baseline build, 1 thread')).toFixed(3)}, 2 threads ${(med('wasm, 2 threads') / med('baseline build, 2 threads')).toFixed(3)}`);
  }
} finally {
  torch.stop();
}
