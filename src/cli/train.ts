// `persian-rug train`: flags from the TrainConfig schema, progress on stderr, summary or --json on stdout,
// --out DIR (run record, weights), --checkpoint-every K and --resume DIR.
import { join } from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import type { TrainCheckpoint, TrainConfig, TrainResult } from '../api.js';
import { resolveTrainConfig, TRAIN_SCHEMA } from '../train/config.js';
import { ConfigError } from '../config/schema.js';
import { createTrainer } from '../train/trainer.js';
import { dataVariance } from '../theory/index.js';
import { writeRun } from '../io/runRecord.js';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from '../io/checkpoint.js';
import { EXIT, type CliIo } from './io.js';
import { parseFlags, usageFailure, usageText, type CommandFlags, type Flags } from './flags.js';
import { stringifyJson } from '../io/json.js';

export const TRAIN_FLAGS: CommandFlags = {
  fields: [
    ...TRAIN_SCHEMA,
    { key: 'out', flag: 'out', kind: 'string', valueName: 'DIR', help: 'write run.json (config, seed, result, loss history) and weights.safetensors into DIR' },
    { key: 'checkpointEvery', flag: 'checkpoint-every', kind: 'int', min: 1, max: 1e9, valueName: 'K', help: 'write DIR/checkpoint.safetensors (weights, Adam state, step, losses) every K steps, atomically; needs --out' },
    { key: 'resume', flag: 'resume', kind: 'string', valueName: 'DIR', help: 'continue the run checkpointed in DIR (its config; only --threads, --json, --out, --checkpoint-every may be given); the result equals the uninterrupted run' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the result as one JSON object on the last stdout line' },
  ],
};

export const TRAIN_USAGE = usageText(`usage: persian-rug train [flags]

Trains the toy model y = act(W_out W_in x + b) of docs/theory.md §1 with Adam on fresh samples.
Defaults: the paper's notebook example (n = 512, m = 128, p = 0.045, batch 1024, lr = 3e-3/sqrt(n)).`, TRAIN_FLAGS);

/** Config flags that do not change results and may differ on resume. */
const RESUMABLE_FLAGS = new Set<keyof TrainConfig>(['threads']);

export async function runTrain(argv: readonly string[], io: CliIo): Promise<number> {
  const usageError = (error: unknown): number => usageFailure(io, 'train', error);
  let parsed: Flags;
  let config;
  let resume: TrainCheckpoint | undefined;
  let checkpointEvery: number | undefined;
  let out: string | undefined;
  try {
    parsed = parseFlags(TRAIN_FLAGS, argv);
    if (parsed.help) {
      io.stdout(TRAIN_USAGE);
      return EXIT.ok;
    }
    const resumeDir = parsed.string('resume');
    out = parsed.string('out') ?? resumeDir;
    if (out !== undefined && (await stat(out).then((s) => !s.isDirectory(), () => false))) {
      throw new ConfigError(`--out ${out} is a file; --out takes a directory (created if missing)`);
    }
    checkpointEvery = parsed.number('checkpointEvery');
    if (checkpointEvery !== undefined && out === undefined) throw new ConfigError('--checkpoint-every needs --out DIR (or --resume DIR) to write the checkpoint into');
    const given = parsed.trainConfig();
    if (resumeDir !== undefined) {
      const extra = Object.keys(given).filter((k) => !RESUMABLE_FLAGS.has(k as keyof TrainConfig));
      if (extra.length) throw new ConfigError(`--resume takes the run's config from its checkpoint; drop ${extra.map((k) => k).join(', ')}`);
      try {
        resume = await readCheckpoint(join(resumeDir, CHECKPOINT_FILE));
      } catch (error) {
        throw new ConfigError(`--resume ${resumeDir}: ${(error as Error).message}`);
      }
      config = resolveTrainConfig({ ...resume.config, ...given });
    } else {
      config = resolveTrainConfig(given);
    }
  } catch (error) {
    return usageError(error);
  }
  let trainer;
  try {
    trainer = await createTrainer(config, { resume });
  } catch (error) {
    return usageError(error);
  }
  const c = trainer.config;
  const label = `n=${c.nFeatures} m=${c.nHidden} p=${Array.isArray(c.featureProbability) ? 'per-feature' : c.featureProbability} ${c.backend}`;
  let lastPlain = 0;
  const checkpointPath = out !== undefined ? join(out, CHECKPOINT_FILE) : undefined;
  let result: TrainResult;
  /** Step of the newest checkpoint in checkpointPath (the resumed one until a new one is written). */
  let lastCheckpointStep = resume?.step;
  try {
    result = await trainer.run({
      progressEverySteps: Math.min(50, checkpointEvery ?? 50),
      onProgress: (p) => {
        const line = `train ${label}: step ${p.step}/${p.totalSteps} loss ${p.loss.toExponential(4)} ${p.seconds.toFixed(1)}s`;
        if (io.stderrStatus) io.stderrStatus(line);
        else if (p.seconds - lastPlain >= 5) {
          lastPlain = p.seconds;
          io.stderr(line);
        }
      },
      checkpointEverySteps: checkpointEvery,
      onCheckpoint: checkpointEvery !== undefined && checkpointPath ? async (checkpoint) => {
        await mkdir(out!, { recursive: true });
        await writeCheckpoint(checkpointPath, checkpoint);
        lastCheckpointStep = checkpoint.step;
      } : undefined,
    });
  } finally {
    if (io.stderrStatus) io.stderrStatus('');
  }
  const diverged = result.stopReason === 'diverged';
  const weights = await trainer.weights();
  if ((checkpointEvery !== undefined || resume) && checkpointPath && !diverged) {
    await writeCheckpoint(checkpointPath, await trainer.checkpoint());
    lastCheckpointStep = result.steps;
  }
  trainer.dispose();
  const lastGood = diverged && lastCheckpointStep !== undefined && checkpointPath ? { path: checkpointPath, step: lastCheckpointStep } : null;
  // a diverged run's weights are not a model: run.json records the divergence and the last good checkpoint
  if (out !== undefined) await writeRun(out, result, diverged ? undefined : weights, diverged ? { lastGoodCheckpoint: lastGood } : {});
  const v = Array.isArray(c.featureProbability) ? NaN : dataVariance(c.featureProbability);
  if (diverged) {
    io.stderr(`persian-rug train: training diverged: ${result.divergence}; ${lastGood ? `the last good checkpoint is ${lastGood.path} (step ${lastGood.step})` : 'no checkpoint was written (use --checkpoint-every K --out DIR)'}${out !== undefined ? `; ${out}/run.json records the divergence, no weights were written` : ''}`);
  }
  if (parsed.on('json')) {
    const { lossHistory: _history, perFeatureLoss: _perFeature, ...summary } = result;
    io.stdout(stringifyJson({ ...summary, bestConstantLoss: v, out: out ?? null }));
  } else {
    io.stdout(`trained ${label} for ${result.steps} steps (${result.stopReason}) in ${result.seconds.toFixed(1)} s on ${result.threads} thread${result.threads === 1 ? '' : 's'}, ${Math.round(result.samplesPerSecond)} samples/s`);
    io.stdout(`  train loss (last ${Math.min(200, result.steps)} steps) ${result.trainLoss.toExponential(4)}`);
    io.stdout(`  eval loss (${result.evalSamples} held-out samples)   ${result.evalLoss.toExponential(4)}`);
    if (Number.isFinite(v)) io.stdout(`  best constant output p/3 - p^2/4       ${v.toExponential(4)}`);
    if (out !== undefined) io.stdout(diverged ? `  wrote ${out}/run.json (stopReason diverged; no weights)` : `  wrote ${out}/run.json and weights.safetensors${checkpointEvery !== undefined ? ' and checkpoint.safetensors' : ''}`);
  }
  return diverged ? EXIT.failure : EXIT.ok;
}
