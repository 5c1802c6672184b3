// `node --no-liftoff bench/profile.mjs [--n 512 --m 128 --p 0.045 --batch 1024 --from 0 --steps 200] [--wasm a.wasm --wasm b.wasm]`:
// where one thread's training step goes, kernel by kernel (ms a step, both gradient shards in this thread), over
// steps [from, from + steps) after `from` untimed steps from the seeded init. Several --wasm builds (default: the
// package's build/release.wasm) train side by side, one step each in turn, so a busy spell of the machine falls on
// all of them; each kernel's time a step is given as the median, the 25th percentile and the minimum over the steps
// (a loaded machine preempts many steps; the minimum is the best estimate of the code's own speed). Every build
// must produce the same losses as the first (the speed work keeps results bit-identical). Needs `npm run build`.
import { WasmKernels } from '../dist/wasm/kernels.js';
import { Model } from '../dist/train/model.js';
import { resolveTrainConfig } from '../dist/train/config.js';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const arg = (name, fallback) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback; };
const n = +arg('n', 512), m = +arg('m', 128), p = +arg('p', 0.045), batch = +arg('batch', 1024);
const from = +arg('from', 0), steps = +arg('steps', 200);
const files = args.flatMap((a, i) => (a === '--wasm' ? [args[i + 1]] : []));
const config = resolveTrainConfig({ nFeatures: n, nHidden: m, featureProbability: p, batch, steps: from + steps, threads: 1, backend: 'wasm', seed: 1 });
const names = ['sampleBatch', 'encoderForward', 'decoderForward', 'decoderBackward', 'encoderBackward', 'adamUpdate', 'packDecoderPanels'];

async function setUp(file) {
  const kernels = await WasmKernels.create(file ? readFileSync(file) : undefined);
  const times = Object.fromEntries([...names, 'step'].map((k) => [k, []]));
  const current = Object.fromEntries(names.map((k) => [k, 0]));
  for (const name of names) {
    const f = kernels[name].bind(kernels);
    kernels[name] = (...a) => { const t0 = performance.now(); const r = f(...a); current[name] += performance.now() - t0; return r; };
  }
  const model = new Model(kernels, config);
  const density = () => {
    const s = model.plans[0].shard;
    const d = kernels.viewF32(s.dPre, 0, s.size * model.shape.featureStride);
    let c = 0;
    for (const v of d) if (v !== 0) c++;
    return c / (s.size * n);
  };
  const step = (record) => {
    for (const k of names) current[k] = 0;
    const t0 = performance.now();
    const loss = model.trainStep();
    const t = performance.now() - t0;
    if (record) { times.step.push(t); for (const k of names) times[k].push(current[k]); }
    return loss;
  };
  return { name: file ?? 'build/release.wasm', step, times, density, losses: [] };
}

const builds = [];
for (const file of files.length ? files : [undefined]) builds.push(await setUp(file));
for (let s = 0; s < from + steps; s++) {
  for (const b of builds) b.losses.push(b.step(s >= from));
}
const quantile = (values, q) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
console.log(`n ${n} m ${m} p ${p} batch ${batch}, one thread, steps ${from}-${from + steps}; ms a step as median / 25th percentile / minimum over the steps`);
for (const b of builds) {
  const same = b.losses.every((l, i) => l === builds[0].losses[i]);
  const med = quantile(b.times.step, 0.5), low = quantile(b.times.step, 0.25), min = Math.min(...b.times.step);
  const kernelMins = names.reduce((sum, k) => sum + Math.min(...b.times[k]), 0);
  console.log(`${b.name}: ${med.toFixed(3)} / ${low.toFixed(3)} / ${min.toFixed(3)} ms a step; sum of the kernels' minima ${kernelMins.toFixed(3)} ms (${(batch / kernelMins).toFixed(1)} k samples/s); dPre nonzero at the end ${(100 * b.density()).toFixed(0)}%; losses ${same ? 'bit-identical to the first build' : 'DIFFER from the first build'}`);
  for (const k of names) {
    console.log(`  ${k.padEnd(18)} ${quantile(b.times[k], 0.5).toFixed(3)} / ${quantile(b.times[k], 0.25).toFixed(3)} / ${Math.min(...b.times[k]).toFixed(3)}`);
  }
}
