// `persian-rug bench`: the speed benchmark of src/bench/measure.ts plus what only node has: PyTorch as a peer
// (when /usr/bin/python3 has torch), the machine and versions; a markdown table or --json on stdout.
import os from 'node:os';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { BenchCheckError, runBenchmark, type BenchMode, type BenchPeer, type BenchShape, type PeerRun } from '../bench/measure.js';
import { formatBenchReport } from '../bench/format.js';
import { EXIT, packageVersion, type CliIo } from './io.js';
import { hardwareConcurrency } from '../host/cores.js';
import { parseCommand, usageText, type CommandFlags } from './flags.js';

export const BENCH_FLAGS: CommandFlags = {
  fields: [
    { key: 'quick', flag: 'quick', kind: 'boolean', help: 'short windows, 3 rounds, PyTorch on 1 thread only: 30-50 s on an idle 2-core machine' },
    { key: 'tiny', flag: 'tiny', kind: 'boolean', help: 'a toy shape, 2 rounds: a few seconds (a smoke test)' },
    { key: 'repeats', flag: 'repeats', kind: 'int', min: 1, max: 100, defaultText: '5; --quick 3', help: 'interleaved timed rounds' },
    { key: 'torch', flag: 'torch', negatedFlag: 'no-torch', kind: 'boolean', default: true, help: 'leave PyTorch out' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the report as one JSON object on the last stdout line' },
  ],
  exclusive: [['quick', 'tiny']],
};

export const BENCH_USAGE = usageText(`usage: persian-rug bench [flags]

Training speed on this machine, measured in one run: the wasm kernels on 1 and 2 threads, their plain-TS twins,
a hand-written dense JS trainer and, when /usr/bin/python3 has torch, PyTorch (1 and 2 threads), on the notebook
shape (n 512, m 128, p 0.045) and on n 2048, m 512, p 0.02, batch 1024. Every implementation is checked first
(same losses as the TS twin; PyTorch: the same loss at the same step); then the rows are timed in interleaved
rounds and each shows the median and the best, the bound (the decoder GEMM at the peak probe) and the fraction
of it reached. Ratios are taken within this run. The full run takes about half an hour on an idle 2-core machine.`, BENCH_FLAGS);

const PYTHON = '/usr/bin/python3';
/** Untimed PyTorch steps before its timed ones (its first steps pay for allocation and warm-up). */
const PEER_WARMUP = 5;

export async function runBench(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseCommand(io, 'bench', BENCH_FLAGS, BENCH_USAGE, argv);
  if (typeof flags === 'number') return flags;
  const mode: BenchMode = flags.on('quick') ? 'quick' : flags.on('tiny') ? 'tiny' : 'full';
  const environment: Record<string, string | number> = {
    machine: `${os.cpus()[0]?.model?.trim() ?? 'unknown cpu'}, ${await hardwareConcurrency()} cores, ${os.platform()} ${os.arch()}`,
    runtime: `node ${process.version}`,
    'persian-rug': packageVersion(),
    'load average at start': os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
  const torch = flags.on('torch') ? startTorch(mode === 'quick' ? [1] : [1, 2]) : { peers: [], note: 'left out (--no-torch)', stop: () => {} };
  environment.pytorch = torch.note;
  try {
    const report = await runBenchmark({
      mode, repeats: flags.number('repeats'), peers: torch.peers, environment,
      onProgress: (message) => (io.stderrStatus ?? io.stderr)(`bench: ${message}`),
    });
    report.environment['load average at end'] = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    if (io.stderrStatus) io.stderrStatus('');
    if (flags.on('json')) io.stdout(JSON.stringify(report));
    else for (const line of formatBenchReport(report)) io.stdout(line);
    return EXIT.ok;
  } catch (error) {
    if (io.stderrStatus) io.stderrStatus('');
    if (error instanceof BenchCheckError) {
      io.stderr(`persian-rug bench: ${error.message}; nothing was timed after it`);
      return EXIT.failure;
    }
    throw error;
  } finally {
    torch.stop();
  }
}

/**
 * PyTorch peers (1 and 2 threads; --quick: 1, its faster setting on this 2-core machine, and 2 threads of OpenBLAS
 * suffer most from other load): one long-lived `torch_train.py --serve` process per setting (torch is imported
 * once; OPENBLAS_NUM_THREADS and torch.set_num_threads set to the setting), so its runs interleave with ours.
 */
export function startTorch(threadCounts: number[]): { peers: BenchPeer[]; note: string; stop: () => void } {
  const script = fileURLToPath(new URL('../../bench/torch_train.py', import.meta.url));
  // which BLAS torch's products load (Debian's alternative: the reference BLAS unless OpenBLAS is installed)
  const probeCode = 'import torch, sys; torch.ones(8, 8) @ torch.ones(8, 8); '
    + "maps = open('/proc/self/maps').read() if sys.platform == 'linux' else ''; "
    + "print(torch.__version__, sys.version.split()[0], 'openblas' if 'openblas' in maps else 'reference' if '/blas/libblas' in maps else 'unknown')";
  const probe = spawnSync(PYTHON, ['-c', probeCode], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  if (probe.error || probe.status !== 0) {
    return { peers: [], note: `not measured: ${probe.error ? `no ${PYTHON}` : `${PYTHON} has no torch (Debian: apt-get install python3-torch libopenblas0-pthread)`}`, stop: () => {} };
  }
  const [version, python, blas] = probe.stdout.trim().split(' ');
  const blasNote = blas === 'reference' ? ', the reference BLAS (slow: apt-get install libopenblas0-pthread)' : blas === 'openblas' ? ', OpenBLAS' : '';
  const servers: ChildProcessWithoutNullStreams[] = [];
  const peers = threadCounts.map((threads): BenchPeer => {
    let server: { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string> } | undefined;
    let stderr = '';
    return {
      name: `PyTorch, ${threads} thread${threads > 1 ? 's' : ''}`,
      threads,
      async run(shape: BenchShape, steps: number): Promise<PeerRun> {
        if (!server) {
          const child = spawn(PYTHON, [script, '--serve', '--threads', String(threads)], {
            env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) },
          });
          servers.push(child);
          child.stderr.on('data', (d) => { stderr = (stderr + String(d)).slice(-2000); });
          child.on('exit', (code) => { if (code) stderr += `\n(exit ${code})`; });
          server = { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
        }
        server.child.stdin.write(JSON.stringify({ n: shape.nFeatures, m: shape.nHidden, p: shape.featureProbability, batch: shape.batch, steps, warmup: PEER_WARMUP, seed: 1 }) + '\n');
        const next = await server.lines.next();
        if (next.done) throw new Error(`PyTorch (${threads} threads) stopped: ${stderr.trim().split('\n').pop() ?? ''}`);
        const answer = JSON.parse(next.value);
        return { samplesPerSecond: answer.samplesPerSecond, warmupSteps: PEER_WARMUP, steps, lossHistory: answer.lossHistory, version: `torch ${answer.torch}` };
      },
    };
  });
  return { peers, note: `torch ${version}${blasNote}, python ${python}, ${threadCounts.join(' and ')} thread${threadCounts.length > 1 ? 's' : ''}`, stop: () => { for (const s of servers) s.kill(); } };
}
