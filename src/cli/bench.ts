// `persian-rug bench`: the speed benchmark of src/bench/measure.ts plus what only node has: PyTorch as a peer
// (when /usr/bin/python3 has torch), the machine and versions; a markdown table or --json on stdout.
import os from 'node:os';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { BenchCheckError, runBenchmark, type BenchMode, type BenchPeer, type BenchShape, type PeerRun } from '../bench/measure.js';
import { formatBenchReport } from '../bench/format.js';
import { EXIT, type CliIo } from './io.js';

export const BENCH_USAGE = `usage: persian-rug bench [flags]

Training speed on this machine, measured in one run: the wasm kernels on 1 and 2 threads, their plain-TS twins,
a hand-written dense JS trainer and, when /usr/bin/python3 has torch, PyTorch (1 and 2 threads), on the notebook
shape (n 512, m 128, p 0.045) and on n 2048, m 512, p 0.02, batch 1024. Every implementation is checked first
(same losses as the TS twin; PyTorch: the same loss at the same step); then the rows are timed in interleaved
rounds and each shows the median and the best, the bound (the decoder GEMM at the peak probe) and the fraction
of it reached. Ratios are taken within this run. The full run takes about half an hour on 2 cores.

flags:
  --quick        short windows, 3 rounds, PyTorch on 1 thread only: about a minute on an idle 2-core machine
  --tiny         a toy shape, 2 rounds: a few seconds (a smoke test)
  --repeats N    interleaved rounds, 1 to 100 (default 5; --quick 3)
  --no-torch     leave PyTorch out
  --json         print the report as one JSON object on the last stdout line
  --help         this text`;

const PYTHON = '/usr/bin/python3';
/** Untimed PyTorch steps before its timed ones (its first steps pay for allocation and warm-up). */
const PEER_WARMUP = 5;

function parse(argv: readonly string[]): { mode: BenchMode; repeats?: number; torch: boolean; json: boolean; help: boolean } {
  const out = { mode: 'full' as BenchMode, repeats: undefined as number | undefined, torch: true, json: false, help: false };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (seen.has(flag)) throw new UsageError(`${flag} is given twice`);
    seen.add(flag);
    if (flag === '--quick' || flag === '--tiny') {
      if (out.mode !== 'full') throw new UsageError('--quick and --tiny exclude each other');
      out.mode = flag === '--quick' ? 'quick' : 'tiny';
    } else if (flag === '--repeats') {
      const text = argv[i + 1];
      if (text === undefined || text.startsWith('--')) throw new UsageError('--repeats needs a value: an integer in [1, 100]');
      i++;
      const value = Number(text);
      if (!Number.isInteger(value) || value < 1 || value > 100) throw new UsageError(`--repeats = "${text}" is not an integer in [1, 100]`);
      out.repeats = value;
    } else if (flag === '--no-torch') out.torch = false;
    else if (flag === '--json') out.json = true;
    else if (flag === '--help' || flag === '-h') out.help = true;
    else throw new UsageError(`unknown flag "${flag}"; flags: --quick, --tiny, --repeats, --no-torch, --json, --help`);
  }
  return out;
}

class UsageError extends Error {}

export async function runBench(argv: readonly string[], io: CliIo): Promise<number> {
  let flags;
  try {
    flags = parse(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`persian-rug bench: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (flags.help) {
    io.stdout(BENCH_USAGE);
    return EXIT.ok;
  }
  const environment: Record<string, string | number> = {
    machine: `${os.cpus()[0]?.model?.trim() ?? 'unknown cpu'}, ${os.availableParallelism?.() ?? os.cpus().length} cores, ${os.platform()} ${os.arch()}`,
    runtime: `node ${process.version}`,
    'persian-rug': packageVersion(),
    'load average at start': os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
  const torch = flags.torch ? startTorch(flags.mode === 'quick' ? [1] : [1, 2]) : { peers: [], note: 'left out (--no-torch)', stop: () => {} };
  environment.pytorch = torch.note;
  try {
    const report = await runBenchmark({
      mode: flags.mode, repeats: flags.repeats, peers: torch.peers, environment,
      onProgress: (message) => (io.stderrStatus ?? io.stderr)(`bench: ${message}`),
    });
    report.environment['load average at end'] = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    if (io.stderrStatus) io.stderrStatus('');
    if (flags.json) io.stdout(JSON.stringify(report));
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

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/**
 * PyTorch peers (1 and 2 threads; --quick: 1, its faster setting on this 2-core machine, and 2 threads of OpenBLAS
 * suffer most from other load): one long-lived `torch_train.py --serve` process per setting (torch is imported
 * once; OPENBLAS_NUM_THREADS and torch.set_num_threads set to the setting), so its runs interleave with ours.
 */
function startTorch(threadCounts: number[]): { peers: BenchPeer[]; note: string; stop: () => void } {
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
