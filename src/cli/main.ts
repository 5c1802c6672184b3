// The CLI entry: the only code that touches argv, stdout, stderr and exit codes.
import { runTrain } from './train.js';
import { EXIT, packageVersion, type CliIo } from './io.js';
import { describeWriteError, FileWriteError } from '../io/runRecord.js';

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; help: string }> = {
  train: { run: async () => runTrain, help: 'train the toy model (docs/theory.md §1)' },
  theory: { run: async () => (await import('./theory.js')).runTheory as Command, help: 'closed-form loss, the symmetric optimum L*(p, r) and baselines (docs/theory.md §3-4)' },
  rug: { run: async () => (await import('./rug.js')).runRug as Command, help: 'the Persian rug (docs/theory.md §5): fit (A, mu), loss vs L*, PNG of W' },
  measure: { run: async () => (await import('./measure.js')).runMeasure as Command, help: 'statistics of a trained run (docs/theory.md §2) and its predicted vs measured loss (§3)' },
  sweep: { run: async () => (await import('./sweep.js')).runSweep as Command, help: 'grid over kind x n x r x p x seed -> JSON Lines (--resume, --shard i/N | auto)' },
  slurm: { run: async () => (await import('./slurm.js')).runSlurm as Command, help: 'a sweep as a Slurm job array + merge job (--wait, --dry-run), or a Kubernetes Indexed Job' },
  merge: { run: async () => (await import('./merge.js')).runMerge as Command, help: 'join sweep shard files; report missing and duplicated cells' },
  plot: { run: async () => (await import('./plot.js')).runPlot as Command, help: "the paper's figures (docs/theory.md §6) from sweep results, SVG and PNG" },
  reproduce: { run: async () => (await import('./reproduce.js')).runReproduce as Command, help: "run the sweeps and draw the paper's figures (--scale small|paper)" },
  bench: { run: async () => (await import('./bench.js')).runBench as Command, help: 'training speed here: wasm vs its TS twins, dense JS and PyTorch, ratios from one run (--quick)' },
  converge: { run: async () => (await import('./converge.js')).runConverge as Command, help: 'trained loss, rug loss and L* at one (p, r) as n grows' },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return ['usage: persian-rug <command> [flags]   (persian-rug <command> --help for its flags; persian-rug --version)', '', 'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.help}`)].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(packageVersion());
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`persian-rug: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return EXIT.usage;
  }
  try {
    return await (await command.run())(rest, io);
  } catch (error) {
    // a write that failed at run time (disk full, permissions changed): one line naming the file, exit 1
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof FileWriteError || (typeof code === 'string' && /^E[A-Z]+$/.test(code))) {
      io.stderr(`persian-rug ${name}: ${error instanceof FileWriteError ? error.message : describeErrno(error as NodeJS.ErrnoException)}`);
      return EXIT.failure;
    }
    throw error;
  }
}

/** "cannot write PATH: the disk is full (ENOSPC)" from a node fs error (its path, when it has one). */
function describeErrno(error: NodeJS.ErrnoException): string {
  const what = describeWriteError(error.code!);
  return error.path ? `${error.syscall === 'open' || error.syscall === 'write' || error.syscall === 'rename' ? 'cannot write' : `${error.syscall ?? 'cannot use'}`} ${error.path}: ${what}` : `${error.syscall ?? 'a file operation'} failed: ${what}`;
}

export { packageVersion };

/** Binds main to the process (used by bin/persian-rug.js). */
export async function runProcess(): Promise<void> {
  // a reader that went away (`persian-rug ... | head -1`) ends the command quietly, as SIGPIPE would, not with a stack
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  }
  const isTty = Boolean(process.stderr.isTTY);
  const io: CliIo = {
    stdout: (line) => process.stdout.write(line + '\n'),
    stderr: (line) => process.stderr.write(line + '\n'),
    stderrStatus: isTty ? (line) => process.stderr.write(`\r\x1b[2K${line}`) : undefined,
  };
  try {
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (error) {
    process.stderr.write(`persian-rug: ${(error as Error).message}\n`);
    process.exitCode = EXIT.failure;
  }
}
