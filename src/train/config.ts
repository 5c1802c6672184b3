// The one TrainConfig schema: it yields the CLI flags, --help, validation errors, defaults and the run record.
import type { Activation, Backend, ResolvedTrainConfig, TrainConfig } from '../api.js';

/** A bad value: names the field (or flag), the value and the allowed range. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Kind = 'int' | 'number' | 'boolean' | 'enum' | 'numbers';

export interface FieldSpec {
  key: keyof TrainConfig;
  flag: string;
  kind: Kind;
  help: string;
  /** Inclusive lower bound, or exclusive when minExclusive. */
  min?: number;
  minExclusive?: boolean;
  max?: number;
  choices?: readonly string[];
  /** Default value, or a description of a computed default. */
  default?: number | boolean | string;
  defaultText?: string;
  /** For booleans that default to true: the CLI flag that turns them off. */
  negatedFlag?: string;
}

export const ACTIVATIONS: readonly Activation[] = ['relu', 'identity', 'gelu', 'tanh', 'leaky_relu'];
export const BACKENDS: readonly Backend[] = ['wasm', 'js'];
export const MAX_FEATURES = 65536;
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const;
/** Step budget when neither steps nor epochs is given: the notebook example in well under a minute. */
export const DEFAULT_STEPS = 3000;

export const TRAIN_SCHEMA: readonly FieldSpec[] = [
  { key: 'nFeatures', flag: 'n', kind: 'int', min: 1, max: MAX_FEATURES, default: 512, help: 'number of features n' },
  { key: 'nHidden', flag: 'm', kind: 'int', min: 1, max: MAX_FEATURES, defaultText: '128 (or from --ratio)', help: 'hidden width m, 1 <= m <= n' },
  { key: 'ratio', flag: 'ratio', kind: 'number', min: 0, minExclusive: true, max: 1, help: 'm / n; sets m = max(1, floor(n * ratio)); exclusive with --m' },
  { key: 'featureProbability', flag: 'p', kind: 'numbers', min: 0, minExclusive: true, max: 1, default: 0.045, help: 'probability a feature is on: one value, or n comma-separated values' },
  { key: 'importance', flag: 'importance', kind: 'numbers', min: 0, max: 1e6, defaultText: '1 for every feature', help: 'loss weight per feature: n comma-separated values, or geometric:R for I_j = R^j' },
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

function rangeText(f: FieldSpec): string {
  const lo = f.min === undefined ? '' : `${f.minExclusive ? '(' : '['}${f.min}`;
  const hi = f.max === undefined ? '' : `${f.max}]`;
  if (f.kind === 'int') return `an integer in ${lo}, ${hi}`;
  return `a number in ${lo}, ${hi}`;
}

function describe(f: FieldSpec): string {
  return `${f.key} (--${f.flag})`;
}

function checkNumber(f: FieldSpec, value: unknown, where = ''): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (f.kind !== 'int' || Number.isInteger(value))
    && (f.min === undefined || (f.minExclusive ? value > f.min : value >= f.min))
    && (f.max === undefined || value <= f.max);
  if (!ok) throw new ConfigError(`${describe(f)}${where} = ${formatValue(value)} is not ${rangeText(f)}`);
  return value as number;
}

/**
 * A CLI number: decimal with optional exponent (surrounding spaces allowed). nan, inf and infinity (any case,
 * signed) give NaN / +-Infinity so that the range check names them; anything else (hex, '1_000', '') gives
 * undefined: not a number at all.
 */
export function parseNumberText(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  const special = /^([+-]?)(nan|inf|infinity)$/i.exec(t);
  if (!special) return undefined;
  if (special[2].toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.length} values]`;
  return String(value);
}

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
    const f = fieldByKey.get(key)!;
    const v = get(key);
    if (typeof v !== 'string' || !f.choices!.includes(v)) {
      throw new ConfigError(`${describe(f)} = ${formatValue(v)} is not one of ${f.choices!.join(', ')}`);
    }
    return v as T;
  };
  const flag = (key: keyof TrainConfig): boolean => {
    const v = get(key);
    if (typeof v !== 'boolean') throw new ConfigError(`${describe(fieldByKey.get(key)!)} = ${formatValue(v)} is not true or false`);
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

/** Parses a --importance value: comma list, or geometric:R (I_j = R^j). */
function parseImportance(text: string, n: number | undefined): number[] {
  const m = /^geometric:(.+)$/.exec(text);
  if (m) {
    const r = Number(m[1]);
    if (!Number.isFinite(r) || r <= 0 || r > 1) throw new ConfigError(`importance (--importance) = "${text}": R must be a number in (0, 1]`);
    if (n === undefined) throw new ConfigError('importance (--importance) geometric:R needs --n');
    checkNumber(fieldByKey.get('nFeatures')!, n);
    return Array.from({ length: n }, (_, j) => r ** j);
  }
  return parseNumberList(text, fieldByKey.get('importance')!);
}

/** A comma list of numbers; each part must be a decimal number (range checks come in resolveTrainConfig). */
function parseNumberList(text: string, f: FieldSpec): number[] {
  if (text.split(',').length > MAX_FEATURES) throw new ConfigError(`${describe(f)} has ${text.split(',').length} values; at most ${MAX_FEATURES}`);
  return text.split(',').map((s) => {
    const v = parseNumberText(s);
    if (v === undefined || Number.isNaN(v)) throw new ConfigError(`${describe(f)} = "${text}": "${s}" is not ${rangeText(f)}`);
    return v;
  });
}

/** Splits CLI args into TrainConfig fields (by the schema) and the remaining non-config flags. */
export function parseTrainFlags(
  argv: readonly string[], extraFlags: Record<string, 'boolean' | 'string'>,
): { config: Partial<TrainConfig>; extra: Record<string, string | boolean> } {
  const byFlag = new Map<string, { field: FieldSpec; negated: boolean }>();
  for (const f of TRAIN_SCHEMA) {
    byFlag.set(f.flag, { field: f, negated: false });
    if (f.negatedFlag) byFlag.set(f.negatedFlag, { field: f, negated: true });
  }
  const config: Record<string, unknown> = {};
  const extra: Record<string, string | boolean> = {};
  const seen = new Set<string>();
  const pending: Array<() => void> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"; flags look like --name value (see --help)`);
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { inline = name.slice(eq + 1); name = name.slice(0, eq); }
    if (seen.has(name)) throw new ConfigError(`--${name} is given twice`);
    seen.add(name);
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && !/^--?\d/.test(next))) throw new ConfigError(`--${name} needs a value`);
      i++;
      return next;
    };
    if (name in extraFlags) {
      extra[name] = extraFlags[name] === 'boolean' ? parseBoolean(name, inline) : takeValue();
      continue;
    }
    const entry = byFlag.get(name);
    if (!entry) {
      const all = [...new Set([...byFlag.keys(), ...Object.keys(extraFlags)])].map((f) => `--${f}`).join(' ');
      throw new ConfigError(`unknown flag --${name}; known flags: ${all}`);
    }
    const f = entry.field;
    if (f.kind === 'boolean') {
      const v = parseBoolean(name, inline);
      config[f.key] = entry.negated ? !v : v;
      continue;
    }
    const text = takeValue();
    if (f.kind === 'enum') config[f.key] = text;
    else if (f.kind === 'numbers') {
      if (f.key === 'importance') pending.push(() => { config[f.key] = parseImportance(text, config.nFeatures as number | undefined ?? 512); });
      else {
        const list = parseNumberList(text, f);
        config[f.key] = list.length === 1 ? list[0] : list;
      }
    } else {
      const v = parseNumberText(text);
      if (v === undefined) throw new ConfigError(`${describe(f)} = "${text}" is not ${rangeText(f)}`);
      config[f.key] = v;
    }
  }
  for (const p of pending) p();
  return { config: config as Partial<TrainConfig>, extra };
}

function parseBoolean(name: string, inline: string | undefined): boolean {
  if (inline === undefined || inline === 'true') return true;
  if (inline === 'false') return false;
  throw new ConfigError(`--${name}=${inline}: a switch takes no value (or =true / =false)`);
}

/** --help text for the schema's flags plus extra lines. */
export function trainHelp(extraLines: readonly string[]): string {
  const rows = TRAIN_SCHEMA.map((f) => {
    const name = f.negatedFlag ? `--${f.negatedFlag}` : f.kind === 'boolean' ? `--${f.flag}` : `--${f.flag} ${f.kind === 'enum' ? f.choices!.join('|') : f.kind === 'int' ? 'N' : 'X'}`;
    const def = f.negatedFlag ? '' : f.defaultText ?? (f.default !== undefined && f.kind !== 'boolean' ? String(f.default) : '');
    return [name, f.help + (def ? ` (default ${def})` : '')];
  });
  const width = Math.max(...rows.map((r) => r[0].length), ...extraLines.map((l) => l.split('\t')[0].length)) + 2;
  const lines = rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`);
  for (const l of extraLines) {
    const [a, b] = l.split('\t');
    lines.push(`  ${a.padEnd(width)}${b ?? ''}`);
  }
  return lines.join('\n');
}
