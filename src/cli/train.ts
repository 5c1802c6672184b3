// `persian-rug train`: flags from the TrainConfig schema, progress on stderr, summary or --json on stdout,
// --out DIR (run record, weights), --checkpoint-every K and --resume DIR.
import { join } from 'node:path';
import { makeDirectory, removeStaleTemps } from '../io/outputPath.js';
import type { ResolvedTrainConfig, TrainCheckpoint, TrainConfig, TrainResult } from '../api.js';
import { resolveTrainConfig, TRAIN_SCHEMA } from '../train/config.js';
import { ConfigError } from '../config/schema.js';
import { createTrainer } from '../train/trainer.js';
import { dataVariance } from '../theory/index.js';
import { checkRunDirectory, runIdOf, writeRun } from '../io/runRecord.js';
import { CHECKPOINT_FILE, readCheckpointFile, writeCheckpoint } from '../io/checkpoint.js';
import { EXIT, type CliIo } from './io.js';
import { parseFlags, usageFailure, usageText, type CommandFlags, type Flags } from './flags.js';
import { stringifyJson } from '../io/json.js';
import { checkOutput, FORCE_FIELD, RUN_FILES } from './output.js';
import { readdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

export const TRAIN_FLAGS: CommandFlags = {
  fields: [
    ...TRAIN_SCHEMA,
    { key: 'out', flag: 'out', kind: 'string', valueName: 'DIR', help: 'write run.json (config, seed, result, loss history) and weights.safetensors into DIR' },
    { key: 'checkpointEvery', flag: 'checkpoint-every', kind: 'int', min: 1, max: 1e9, valueName: 'K', help: 'write DIR/checkpoint.safetensors (weights, Adam state, step, losses) every K steps, atomically; needs --out' },
    { key: 'resume', flag: 'resume', kind: 'string', valueName: 'DIR', help: 'continue the run checkpointed in DIR (its config; only --threads, --json, --out, --checkpoint-every may be given); the result equals the uninterrupted run' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the result as one JSON object on the last stdout line' },
    { ...FORCE_FIELD, help: 'replace the run in --out DIR (its run.json, weights and checkpoint are removed before training)' },
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
  let resumeDir: string | undefined;
  try {
    parsed = parseFlags(TRAIN_FLAGS, argv);
    if (parsed.help) {
      io.stdout(TRAIN_USAGE);
      return EXIT.ok;
    }
    resumeDir = parsed.string('resume');
    out = parsed.string('out') ?? resumeDir;
    checkpointEvery = parsed.number('checkpointEvery');
    if (checkpointEvery !== undefined && out === undefined) throw new ConfigError('--checkpoint-every needs --out DIR (or --resume DIR) to write the checkpoint into');
    const given = parsed.trainConfig();
    if (resumeDir !== undefined) {
      const extra = Object.keys(given).filter((k) => !RESUMABLE_FLAGS.has(k as keyof TrainConfig));
      if (extra.length) throw new ConfigError(`--resume takes the run's config from its checkpoint; drop ${extra.map((k) => k).join(', ')}`);
      try {
        const stored = await readCheckpointFile(join(resumeDir, CHECKPOINT_FILE));
        await checkRunDirectory(resumeDir);
        resume = stored.checkpoint;
      } catch (error) {
        throw new ConfigError(`--resume ${resumeDir}: ${(error as Error).message}`);
      }
      config = resolveTrainConfig({ ...resume.config, ...given });
    } else {
      config = resolveTrainConfig(given);
    }
    if (out !== undefined) await checkRunOutput(out, config, resumeDir, parsed.on('force'));
  } catch (error) {
    return usageError(error);
  }
  let trainer;
  try {
    trainer = await createTrainer(config, { resume });
  } catch (error) {
    return usageError(error);
  }
  if (out !== undefined && parsed.on('force') && !sameFolder(out, resumeDir)) {
    // --force: the folder's old run goes before the new one writes anything (no stale checkpoint can come back)
    for (const file of RUN_FILES) await rm(join(out, file), { force: true });
  }
  const c = trainer.config;
  /** One id for run.json, the weights and every checkpoint of this run (the same across resumes). */
  const runId = runIdOf(c);
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
        await makeDirectory(out!);
        await writeCheckpoint(checkpointPath, checkpoint, runId);
        lastCheckpointStep = checkpoint.step;
      } : undefined,
    });
  } finally {
    if (io.stderrStatus) io.stderrStatus('');
  }
  const diverged = result.stopReason === 'diverged';
  const weights = await trainer.weights();
  if ((checkpointEvery !== undefined || resume) && checkpointPath && !diverged) {
    await makeDirectory(out!); // --resume DIR --out OTHER: OTHER may not exist yet
    await writeCheckpoint(checkpointPath, await trainer.checkpoint(), runId);
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

const sameFolder = (a: string, b: string | undefined): boolean => b !== undefined && resolve(a) === resolve(b);

/**
 * --out DIR before training: a folder we can write with room for the run (weights, checkpoint, run.json), not
 * holding a run unless --force (or it is the run being resumed). ConfigError naming --out and DIR otherwise.
 */
async function checkRunOutput(out: string, config: ResolvedTrainConfig, resumeDir: string | undefined, force: boolean): Promise<void> {
  const n = config.nFeatures, m = config.nHidden;
  const steps = config.steps ?? (config.epochs ?? 1) * Math.ceil(config.samplesPerEpoch / config.batch);
  const weightsBytes = 4 * (2 * n * m + n) + 4096;
  const bytes = 4 * weightsBytes + 48 * steps + 65536;
  const resumingHere = sameFolder(out, resumeDir);
  const names = await readdir(out).catch(() => [] as string[]);
  const held = names.filter((name) => RUN_FILES.includes(name));
  if (!resumingHere && !force) {
    if (held.length) throw new ConfigError(`--out ${out}: holds a run (${held.join(', ')}); add --force to replace it, or --resume ${out} to continue it`);
  }
  // other files in the folder are left alone: only a run's own files make it "a run"
  await checkOutput({ flag: '--out', path: out, kind: 'directory', bytes, existing: 'allow' });
  for (const file of RUN_FILES) await removeStaleTemps(join(out, file));
}
