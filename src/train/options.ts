// Validation of what the API takes besides the TrainConfig: run() options, initial weights and a checkpoint to resume.
// Every problem is a ConfigError naming the option, the value and what is allowed (same style as config fields).
import type { AdamMoments, ModelWeights, ResolvedTrainConfig, TrainCheckpoint, TrainOptions } from '../api.js';
import { ConfigError, resolveTrainConfig } from './config.js';

/** The error of every call on a disposed trainer, and of a run() that dispose() interrupted. */
export class TrainerDisposedError extends Error {
  constructor(message = 'the trainer was disposed; create a new one with createTrainer') {
    super(message);
    this.name = 'TrainerDisposedError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.length} values]` : typeof v === 'function' ? 'a function' : String(v));

/** Own keys of `value` outside `known` (prototype keys such as __proto__ included: JSON.parse makes them own keys). */
function unknownKeys(value: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(value).filter((k) => !known.includes(k));
}

const RUN_OPTIONS = ['onProgress', 'progressEverySteps', 'shouldStop', 'checkpointEverySteps', 'onCheckpoint'] as const;

/** Throws ConfigError unless `options` is a valid TrainOptions (undefined is fine). */
export function checkTrainOptions(options: unknown): TrainOptions {
  if (options === undefined) return {};
  if (!isObject(options)) throw new ConfigError(`run() options = ${shown(options)} is not an object of ${RUN_OPTIONS.join(', ')}`);
  const extra = unknownKeys(options, RUN_OPTIONS);
  if (extra.length) throw new ConfigError(`run() option "${extra[0]}" is unknown; options are ${RUN_OPTIONS.join(', ')}`);
  for (const key of ['progressEverySteps', 'checkpointEverySteps'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1e9)) {
      throw new ConfigError(`run() option ${key} = ${shown(v)} is not an integer in [1, 1000000000]`);
    }
  }
  for (const key of ['onProgress', 'shouldStop', 'onCheckpoint'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'function') throw new ConfigError(`run() option ${key} = ${shown(v)} is not a function`);
  }
  return options as TrainOptions;
}

const CREATE_OPTIONS = ['wasm', 'threadsWasm', 'weights', 'resume', 'worker'] as const;

/** Throws ConfigError unless the createTrainer options object has only known keys. */
export function checkCreateOptions(options: unknown, known: readonly string[] = CREATE_OPTIONS): void {
  if (options === undefined) return;
  if (!isObject(options)) throw new ConfigError(`createTrainer options = ${shown(options)} is not an object of ${known.join(', ')}`);
  const extra = unknownKeys(options, known);
  if (extra.length) throw new ConfigError(`createTrainer option "${extra[0]}" is unknown; options are ${known.join(', ')}`);
}

/** A Float32Array (or array of numbers) of `length` finite values, as a Float32Array; else ConfigError naming `name`. */
function finiteArray(name: string, value: unknown, length: number, what: string): Float32Array {
  if (!(value instanceof Float32Array) && !(Array.isArray(value) && value.every((x) => typeof x === 'number'))) {
    throw new ConfigError(`${name} = ${shown(value)} is not a Float32Array of ${what} = ${length} values`);
  }
  const data = value instanceof Float32Array ? value : Float32Array.from(value as number[]);
  if (data.length !== length) throw new ConfigError(`${name} has ${data.length} values; it needs ${what} = ${length}`);
  const bad = data.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new ConfigError(`${name}[${bad}] = ${data[bad]} is not finite; weights must be finite numbers`);
  return data;
}

/** Checks weights for `config` (PyTorch layouts: win [m, n], wout [n, m], bias [n]); `name` prefixes messages. */
export function checkWeights(name: string, weights: unknown, config: ResolvedTrainConfig): ModelWeights {
  const n = config.nFeatures, m = config.nHidden;
  if (!isObject(weights)) throw new ConfigError(`${name} = ${shown(weights)} is not an object { nFeatures, nHidden, win, wout, bias }`);
  if (weights.nFeatures !== n || weights.nHidden !== m) {
    throw new ConfigError(`${name} are ${shown(weights.nHidden)} x ${shown(weights.nFeatures)} (nHidden x nFeatures); the config needs ${m} x ${n}`);
  }
  return {
    nFeatures: n, nHidden: m,
    win: finiteArray(`${name}.win`, weights.win, m * n, `m x n = ${m} x ${n}`),
    wout: finiteArray(`${name}.wout`, weights.wout, n * m, `n x m = ${n} x ${m}`),
    bias: finiteArray(`${name}.bias`, weights.bias, n, 'n'),
  };
}

/**
 * Checks a checkpoint: the object given to createTrainer({ resume }), and what decodeCheckpointFile read from a file
 * (label 'checkpoint'): a valid config, a step equal to the number of losses, finite losses, every tensor of the
 * config's size and finite. `label` names it in messages.
 */
export function checkCheckpoint(value: unknown, label = 'resume'): TrainCheckpoint {
  if (!isObject(value)) throw new ConfigError(`${label} = ${shown(value)} is not a checkpoint (trainer.checkpoint() or readCheckpoint(...))`);
  const missing = ['config', 'step', 'weights', 'adam', 'lossHistory'].filter((k) => value[k] === undefined);
  if (missing.length) throw new ConfigError(`${label} is not a checkpoint: it has no ${missing.join(', ')} (make one with trainer.checkpoint())`);
  let config: ResolvedTrainConfig;
  try {
    config = resolveTrainConfig(value.config as ResolvedTrainConfig);
  } catch (error) {
    throw new ConfigError(`${label}.config is not valid: ${(error as Error).message}`);
  }
  const step = value.step;
  if (!(Number.isInteger(step) && (step as number) >= 0)) throw new ConfigError(`${label}.step = ${shown(step)} is not an integer >= 0`);
  const history = value.lossHistory;
  if (!Array.isArray(history) || history.length !== step) throw new ConfigError(`${label}.lossHistory has ${Array.isArray(history) ? history.length : 0} losses; step ${step} needs ${step}`);
  const bad = history.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (bad >= 0) throw new ConfigError(`${label}.lossHistory[${bad}] = ${shown(history[bad])} is not a finite number`);
  const weights = checkWeights(`${label}.weights`, value.weights, config);
  const adam = value.adam;
  if (!isObject(adam)) throw new ConfigError(`${label}.adam = ${shown(adam)} is not the Adam state { win, wout, bias }`);
  const n = config.nFeatures, m = config.nHidden;
  const moments = (key: 'win' | 'wout' | 'bias', length: number, what: string): AdamMoments => {
    const a = adam[key];
    if (!isObject(a)) throw new ConfigError(`${label}.adam.${key} = ${shown(a)} is not { moment, velocity }`);
    return { moment: finiteArray(`${label}.adam.${key}.moment`, a.moment, length, what), velocity: finiteArray(`${label}.adam.${key}.velocity`, a.velocity, length, what) };
  };
  return {
    config, step: step as number, lossHistory: history as number[], weights,
    adam: { win: moments('win', m * n, `m x n = ${m} x ${n}`), wout: moments('wout', n * m, `n x m = ${n} x ${m}`), bias: moments('bias', n, 'n') },
  };
}
