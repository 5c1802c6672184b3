// `persian-rug train`: flags from the TrainConfig schema, progress on stderr, summary or --json on stdout, --out DIR.
import type { TrainResult } from '../api.js';
import { ConfigError, parseTrainFlags, resolveTrainConfig, trainHelp } from '../train/config.js';
import { createTrainer } from '../train/trainer.js';
import { writeRun } from '../io/runRecord.js';
import { EXIT, type CliIo } from './io.js';

const EXTRA_FLAGS = { out: 'string', json: 'boolean', help: 'boolean' } as const;

export const TRAIN_USAGE = `usage: persian-rug train [flags]

Trains the toy model y = act(W_out W_in x + b) of PAPER.md §1 with Adam on fresh samples.
Defaults: the paper's notebook example (n = 512, m = 128, p = 0.045, batch 1024, lr = 3e-3/sqrt(n)).

flags:
${trainHelp(['--out DIR\twrite run.json (config, seed, result, loss history) and weights.safetensors into DIR', '--json\tprint the result as one JSON object on the last stdout line', '--help\tthis text'])}`;

export async function runTrain(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  let config;
  try {
    parsed = parseTrainFlags(argv, EXTRA_FLAGS);
    if (parsed.extra.help) {
      io.stdout(TRAIN_USAGE);
      return EXIT.ok;
    }
    config = resolveTrainConfig(parsed.config);
    if (parsed.extra.out !== undefined && String(parsed.extra.out).trim() === '') throw new ConfigError('--out needs a directory name');
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`persian-rug train: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  let trainer;
  try {
    trainer = await createTrainer(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`persian-rug train: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  const c = trainer.config;
  const label = `n=${c.nFeatures} m=${c.nHidden} p=${Array.isArray(c.featureProbability) ? 'per-feature' : c.featureProbability} ${c.backend}`;
  let lastPlain = 0;
  const result: TrainResult = await trainer.run({
    progressEverySteps: 50,
    onProgress: (p) => {
      const line = `train ${label}: step ${p.step}/${p.totalSteps} loss ${p.loss.toExponential(4)} ${p.seconds.toFixed(1)}s`;
      if (io.stderrStatus) io.stderrStatus(line);
      else if (p.seconds - lastPlain >= 5) {
        lastPlain = p.seconds;
        io.stderr(line);
      }
    },
  });
  if (io.stderrStatus) io.stderrStatus('');
  const weights = await trainer.weights();
  trainer.dispose();
  if (parsed.extra.out !== undefined) await writeRun(String(parsed.extra.out), result, weights);
  const v = Array.isArray(c.featureProbability) ? NaN : c.featureProbability / 3 - c.featureProbability ** 2 / 4;
  if (parsed.extra.json) {
    const { lossHistory: _history, perFeatureLoss: _perFeature, ...summary } = result;
    io.stdout(JSON.stringify({ ...summary, bestConstantLoss: v, out: parsed.extra.out ?? null }));
  } else {
    io.stdout(`trained ${label} for ${result.steps} steps (${result.stopReason}) in ${result.seconds.toFixed(1)} s, ${Math.round(result.samplesPerSecond)} samples/s`);
    io.stdout(`  train loss (last ${Math.min(200, result.steps)} steps) ${result.trainLoss.toExponential(4)}`);
    io.stdout(`  eval loss (${result.evalSamples} held-out samples)   ${result.evalLoss.toExponential(4)}`);
    if (Number.isFinite(v)) io.stdout(`  best constant output p/3 - p^2/4       ${v.toExponential(4)}`);
    if (parsed.extra.out !== undefined) io.stdout(`  wrote ${parsed.extra.out}/run.json and weights.safetensors`);
  }
  return EXIT.ok;
}
