// The one TrainConfig schema: it yields the CLI flags (through cli/flags.ts), --help, validation errors, defaults and the run record.
import type { Activation, Backend, ResolvedTrainConfig, TrainConfig } from '../api.js';
import { checkChoice, checkNumber, ConfigError, describeField, formatValue, parseFieldText, parseNumberText, type FieldSpec } from '../config/schema.js';

export { ConfigError, parseNumberText, type FieldSpec } from '../config/schema.js';

const ACTIVATIONS: readonly Activation[] = ['relu', 'identity', 'gelu', 'tanh', 'leaky_relu'];
const BACKENDS: readonly Backend[] = ['wasm', 'js'];
export const MAX_FEATURES = 65536;
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const;
/** Step budget when neither steps nor epochs is given: the notebook example in well under a minute. */
export const DEFAULT_STEPS = 3000;

export const TRAIN_SCHEMA: readonly FieldSpec<keyof TrainConfig>[] = [
  { key: 'nFeatures', flag: 'n', kind: 'int', min: 1, max: MAX_FEATURES, default: 512, help: 'number of features n' },
  { key: 'nHidden', flag: 'm', kind: 'int', min: 1, max: MAX_FEATURES, defaultText: '128 (or from --ratio)', help: 'hidden width m, 1 <= m <= n' },
  { key: 'ratio', flag: 'ratio', kind: 'number', min: 0, minExclusive: true, max: 1, help: 'm / n; sets m = max(1, floor(n * ratio)); exclusive with --m' },
  { key: 'featureProbability', flag: 'p', kind: 'numbers', min: 0, minExclusive: true, max: 1, default: 0.045, help: 'probability a feature is on: one value, or n comma-separated values' },
  { key: 'importance', flag: 'importance', kind: 'numbers', min: 0, max: 1e6, defaultText: '1 for every feature', help: 'loss weight per feature: n comma-separated values, or geometric:R for I_j = R^j', parse: (text, values) => parseImportance(text, values.nFeatures as number | undefined ?? 512) },
  { key: 'batch', flag: 'batch', kind: 'int', min: 1, max: 65536, default: 1024, help: 'samples per step' },
  { key: 'lr', flag: 'lr', kind: 'number', min: 0, minExclusive: true, max: 10, defaultText: '3e-3 / sqrt(n)', help: 'Adam learning rate' },
  { key: 'steps', flag: 'steps', kind: 'int', min: 1, max: 1e9, defaultText: `${DEFAULT_STEPS} unless --epochs`, help: 'fixed number of training steps (no stop rule)' },
  { key: 'epochs', flag: 'epochs', kind: 'int', min: 1, max: 1e6, help: "paper's recipe: up to this many epochs, stopping when the mean of the last 200 step losses no longer falls below the 200 before" },
  { key: 'samplesPerEpoch', flag: 'samples-per-epoch', kind: 'int', min: 1, max: 1e9, default: 30000, help: 'samples per epoch (the stop rule is checked once an epoch)' },
  { key: 'seed', flag: 'seed', kind: 'int', min: 0, max: 4294967295, default: 0, help: 'seed: same seed, same data and initial weights on every backend' },
  { key: 'backend', flag: 'backend', kind: 'enum', choices: BACKENDS, default: 'wasm', help: 'wasm (SIMD kernels) or js (the plain-TS reference)' },
  { key: 'activation', flag: 'activation', kind: 'enum', choices: ACTIVATIONS, default: 'relu', help: 'output activation' },
  { key: 'leakySlope', flag: 'leaky-slope', kind: 'number', min: 0, max: 1, default: 0.01, help: 'negative slope of leaky_relu' },
  { key: 'tied', flag: 'tied', kind: 'boolean', default: false, help: 'tie weights: W_out = W_in^T' },
  { key: 'bias', flag: 'bias', negatedFlag: 'no-bias', kind: 'boolean', default: true, help: 'output bias b (--no-bias: none)' },
  { key: 'freezeIn', flag: 'freeze-in', kind: 'boolean', default: false, help: 'keep W_in at its initial value' },
  { key: 'evalSamples', flag: 'eval-samples', kind: 'int', min: 1, max: 1e9, default: 65536, help: 'held-out samples for the final per-feature evaluation' },
  { key: 'threads', flag: 'threads', kind: 'int', min: 0, max: 2, default: 0, help: 'cores for this run: 1, 2 (wasm; same result bit for bit), 0 = all useful and available' },
];

const fieldByKey = new Map(TRAIN_SCHEMA.map((f) => [f.key, f]));

/** Validates a partial config (API or CLI), applies defaults, resolves m and lr. Throws ConfigError. */
export function resolveTrainConfig(input: Partial<TrainConfig> | ResolvedTrainConfig): ResolvedTrainConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`the train config = ${input === null ? 'null' : Array.isArray(input) ? 'an array' : formatValue(input)} is not an object of TrainConfig fields`);
  }
  const known = new Set<string>(TRAIN_SCHEMA.map((f) => f.key));
  const resolvedOnly: Record<string, number> = { adamBeta1: ADAM.beta1, adamBeta2: ADAM.beta2, adamEps: ADAM.eps };
  for (const [key, value] of Object.entries(input)) {
    if (Object.hasOwn(resolvedOnly, key)) {
      if (value !== resolvedOnly[key]) throw new ConfigError(`${key} = ${formatValue(value)} is fixed at ${resolvedOnly[key]} (the paper's Adam)`);
      continue;
    }
    if (!known.has(key)) throw new ConfigError(`unknown config field "${key}"; known fields: ${[...known].join(', ')}`);
  }
  const get = <K extends keyof TrainConfig>(key: K): TrainConfig[K] | undefined => {
    const v = (input as Partial<TrainConfig>)[key];
    if (v !== undefined) return v;
    const d = fieldByKey.get(key)?.default;
    return d as TrainConfig[K] | undefined;
  };
  const n = checkNumber(fieldByKey.get('nFeatures')!, get('nFeatures'));
  if (input.nHidden !== undefined && input.ratio !== undefined && input.nHidden !== Math.max(1, Math.floor(n * input.ratio))) {
    throw new ConfigError(`nHidden (--m) = ${input.nHidden} and ratio (--ratio) = ${input.ratio} conflict; give one of them`);
  }
  let m: number;
  if (input.ratio !== undefined) {
    const r = checkNumber(fieldByKey.get('ratio')!, input.ratio);
    m = Math.max(1, Math.floor(n * r));
  } else {
    m = checkNumber(fieldByKey.get('nHidden')!, input.nHidden ?? Math.min(128, n));
    if (m > n) throw new ConfigError(`nHidden (--m) = ${m} is not an integer in [1, ${n}] (it may not exceed n = ${n})`);
  }
  const pField = fieldByKey.get('featureProbability')!;
  const pRaw = get('featureProbability');
  let featureProbability: number | number[];
  if (Array.isArray(pRaw)) {
    if (pRaw.length !== n) throw new ConfigError(`featureProbability (--p) has ${pRaw.length} values; it needs 1 or n = ${n}`);
    featureProbability = pRaw.map((v, j) => checkNumber(pField, v, `[${j}]`));
  } else {
    featureProbability = checkNumber(pField, pRaw);
  }
  let importance: number[] | undefined;
  if (input.importance !== undefined) {
    const f = fieldByKey.get('importance')!;
    if (!Array.isArray(input.importance) || input.importance.length !== n) {
      throw new ConfigError(`importance (--importance) has ${Array.isArray(input.importance) ? input.importance.length : 0} values; it needs n = ${n}`);
    }
    importance = input.importance.map((v, j) => checkNumber(f, v, `[${j}]`));
  }
  if (input.steps !== undefined && input.epochs !== undefined) {
    throw new ConfigError(`steps (--steps) = ${input.steps} and epochs (--epochs) = ${input.epochs} conflict; give one of them`);
  }
  const steps = input.steps !== undefined ? checkNumber(fieldByKey.get('steps')!, input.steps) : undefined;
  const epochs = input.epochs !== undefined ? checkNumber(fieldByKey.get('epochs')!, input.epochs) : undefined;
  const choice = <T extends string>(key: keyof TrainConfig): T => {
    return checkChoice(fieldByKey.get(key)!, get(key)) as T;
  };
  const flag = (key: keyof TrainConfig): boolean => {
    const v = get(key);
    if (typeof v !== 'boolean') throw new ConfigError(`${describeField(fieldByKey.get(key)!)} = ${formatValue(v)} is not true or false`);
    return v;
  };
  const lr = input.lr !== undefined ? checkNumber(fieldByKey.get('lr')!, input.lr) : 3e-3 / Math.sqrt(n);
  const resolved: ResolvedTrainConfig = {
    nFeatures: n,
    nHidden: m,
    featureProbability,
    batch: checkNumber(fieldByKey.get('batch')!, get('batch')),
    lr,
    samplesPerEpoch: checkNumber(fieldByKey.get('samplesPerEpoch')!, get('samplesPerEpoch')),
    seed: checkNumber(fieldByKey.get('seed')!, get('seed')),
    backend: choice<Backend>('backend'),
    activation: choice<Activation>('activation'),
    leakySlope: checkNumber(fieldByKey.get('leakySlope')!, get('leakySlope')),
    tied: flag('tied'),
    bias: flag('bias'),
    freezeIn: flag('freezeIn'),
    evalSamples: checkNumber(fieldByKey.get('evalSamples')!, get('evalSamples')),
    threads: checkNumber(fieldByKey.get('threads')!, get('threads')),
    adamBeta1: ADAM.beta1,
    adamBeta2: ADAM.beta2,
    adamEps: ADAM.eps,
  };
  if (input.ratio !== undefined) resolved.ratio = input.ratio;
  if (importance) resolved.importance = importance;
  if (epochs !== undefined) resolved.epochs = epochs;
  else resolved.steps = steps ?? DEFAULT_STEPS;
  if (resolved.tied && resolved.freezeIn) {
    throw new ConfigError('tied (--tied) and freezeIn (--freeze-in) conflict: with tied weights W_in is also W_out');
  }
  return resolved;
}

/** Per-feature probabilities p_j as an array of length n. */
export function featureProbabilities(config: ResolvedTrainConfig): number[] {
  const p = config.featureProbability;
  return Array.isArray(p) ? p : new Array<number>(config.nFeatures).fill(p);
}

/** Importance weights I_j as an array of length n. */
export function importanceWeights(config: ResolvedTrainConfig): number[] {
  return config.importance ?? new Array<number>(config.nFeatures).fill(1);
}

/** Steps in one epoch: ceil(samplesPerEpoch / batch). */
export function stepsPerEpoch(config: ResolvedTrainConfig): number {
  return Math.ceil(config.samplesPerEpoch / config.batch);
}

/** A --importance value: a comma list, or geometric:R (I_j = R^j, R in (0, 1]) for n features. */
function parseImportance(text: string, n: number): number[] {
  const f = fieldByKey.get('importance')!;
  const m = /^geometric:(.*)$/.exec(text);
  if (!m) return parseFieldText({ ...f, parse: undefined }, text) as number[];
  const r = parseNumberText(m[1]);
  if (r === undefined || !(r > 0 && r <= 1)) throw new ConfigError(`${describeField(f)} = ${formatValue(text)}: R must be a number in (0, 1]`);
  checkNumber(fieldByKey.get('nFeatures')!, n);
  return Array.from({ length: n }, (_, j) => r ** j);
}
