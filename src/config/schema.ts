// Field specs: one declaration per config field or CLI flag (kind, range, default, help), and the parsing, checks and
// messages made from it. TRAIN_SCHEMA (train/config.ts) and every command's flags (cli/flags.ts) are lists of these.
//
// Imports nothing: train/ (the API's TrainConfig) and cli/ (argv) both build on it.

/** The one error for bad input, from the API (createTrainer) and from every command's flags. Names the field, the value and the allowed range. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * int, number: one decimal number (checked against min/max). numbers: a comma list of numbers. axis: a comma list or
 * START:STOP:COUNT (inclusive linspace; duplicates dropped). boolean: a switch (--name, --name=true|false, and
 * --negatedFlag). enum: one of `choices`; enums: a comma list of them. string: any non-empty text (paths).
 */
export type FieldKind = 'int' | 'number' | 'numbers' | 'axis' | 'boolean' | 'enum' | 'enums' | 'string';

export interface FieldSpec<K extends string = string> {
  /** The value's name: a TrainConfig field, or the camelCase name of the flag. */
  key: K;
  /** The CLI flag without its dashes. */
  flag: string;
  kind: FieldKind;
  help: string;
  /** Inclusive lower bound, or exclusive when minExclusive. */
  min?: number;
  minExclusive?: boolean;
  max?: number;
  /** axis: whole numbers only. */
  integer?: boolean;
  choices?: readonly string[];
  /** Default value, or a description of a computed default. */
  default?: number | boolean | string;
  defaultText?: string;
  /** For booleans that default to true: the CLI flag that turns them off. */
  negatedFlag?: string;
  /** CLI: the flag must be given. */
  required?: boolean;
  /** Placeholder of the value in --help (DIR, FILE, VALUES); by default from the kind. */
  valueName?: string;
  /**
   * A value form the kind does not cover (geometric:R, i/N): text -> value, given the other flags' values (read after
   * every other flag). Throws ConfigError.
   */
  parse?: (text: string, values: Readonly<Record<string, unknown>>) => unknown;
}

/** Largest number of values one axis may expand to (keeps a typo from making a billion cells). */
const MAX_AXIS_VALUES = 10000;

/** How messages name a field: `key (--flag)`, the API's name and the CLI's. */
export function describeField(f: FieldSpec): string {
  return `${f.key} (--${f.flag})`;
}

/** 'an integer in [1, 8]', 'a number in (0, 1]'. */
function rangeText(f: Pick<FieldSpec, 'kind' | 'min' | 'max' | 'minExclusive' | 'integer'>): string {
  const lo = f.min === undefined ? '(-inf' : `${f.minExclusive ? '(' : '['}${f.min}`;
  const hi = f.max === undefined ? 'inf)' : `${f.max}]`;
  return `${f.kind === 'int' || f.integer ? 'an integer' : 'a number'} in ${lo}, ${hi}`;
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.length} values]`;
  return String(value);
}

/**
 * A number in decimal notation with optional exponent (surrounding spaces allowed). nan, inf and infinity (any
 * case, signed) give NaN / +-Infinity so that the range check names them; anything else (hex, '1_000', '') gives
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

function inRange(f: FieldSpec, value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && (!(f.kind === 'int' || f.integer) || Number.isInteger(value))
    && (f.min === undefined || (f.minExclusive ? value > f.min : value >= f.min))
    && (f.max === undefined || value <= f.max);
}

/** The value if it is a number in the field's range; else ConfigError `key (--flag)[where] = value is not <range>`. */
export function checkNumber(f: FieldSpec, value: unknown, where = ''): number {
  if (!inRange(f, value)) throw new ConfigError(`${describeField(f)}${where} = ${formatValue(value)} is not ${rangeText(f)}`);
  return value;
}

/** The value if it is one of the field's choices; else ConfigError. */
export function checkChoice(f: FieldSpec, value: unknown): string {
  if (typeof value !== 'string' || !f.choices!.includes(value)) {
    throw new ConfigError(`${describeField(f)} = ${formatValue(value)} is not one of ${f.choices!.join(', ')}`);
  }
  return value;
}

/** COUNT values from START to STOP inclusive, rounded to 12 significant digits (so 0.1:0.5:5 gives 0.3, not 0.30000000000000004). */
export function linspace(start: number, stop: number, count: number): number[] {
  if (count === 1) return [start];
  return Array.from({ length: count }, (_, k) => (k === count - 1 ? stop : Number((start + ((stop - start) * k) / (count - 1)).toPrecision(12))));
}

/** One decimal number of a flag's text (NaN and infinities pass, for the range check to name them). */
function numberOf(f: FieldSpec, text: string, part = text): number {
  const v = parseNumberText(part);
  if (v === undefined || (part !== text && Number.isNaN(v))) {
    throw new ConfigError(part === text ? `${describeField(f)} = ${formatValue(text)} is not ${rangeText(f)}` : `${describeField(f)} = ${formatValue(text)}: ${formatValue(part)} is not ${rangeText(f)}`);
  }
  return v;
}

/** A comma list of numbers in range: one value is checked as a scalar, several by index. */
function numberList(f: FieldSpec, text: string): number[] {
  const parts = text.split(',');
  if (parts.length > 65536) throw new ConfigError(`${describeField(f)} has ${parts.length} values; at most 65536`);
  const values = parts.map((part) => numberOf(f, text, parts.length === 1 ? text : part));
  if (values.length === 1) checkNumber(f, values[0]);
  else values.forEach((v, j) => checkNumber(f, v, `[${j}]`));
  return values;
}

/** Values of an axis: START:STOP:COUNT (inclusive linspace; COUNT an integer in [1, 10000]) or a comma list; duplicates dropped, order kept. */
export function parseAxis(f: FieldSpec, text: string): number[] {
  let values: number[];
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length !== 3) throw new ConfigError(`${describeField(f)} = ${formatValue(text)} is not START:STOP:COUNT or a comma list`);
    const [start, stop, count] = parts.map((part) => numberOf(f, text, part));
    if (!(Number.isInteger(count) && count >= 1 && count <= MAX_AXIS_VALUES)) {
      throw new ConfigError(`${describeField(f)} = ${formatValue(text)}: COUNT = ${parts[2]} is not an integer in [1, ${MAX_AXIS_VALUES}]`);
    }
    values = linspace(start, stop, count);
    if (f.integer) values = values.map((v) => Math.round(v));
  } else {
    const parts = text.split(',');
    if (parts.length > MAX_AXIS_VALUES) throw new ConfigError(`${describeField(f)} has ${parts.length} values; at most ${MAX_AXIS_VALUES}`);
    values = parts.map((part) => numberOf(f, text, parts.length === 1 ? text : part));
  }
  for (const v of values) {
    if (!inRange(f, v)) {
      if (values.length === 1 && !text.includes(':')) checkNumber(f, v);
      throw new ConfigError(`${describeField(f)} = ${formatValue(text)}: ${v} is not ${rangeText(f)}`);
    }
  }
  return [...new Set(values)];
}

/** A flag's text -> its value, by the field's kind and range (booleans are switches: see cli/flags.ts). Throws ConfigError. */
export function parseFieldText(f: FieldSpec, text: string, values: Readonly<Record<string, unknown>> = {}): unknown {
  if (f.parse) return f.parse(text, values);
  switch (f.kind) {
    case 'int':
    case 'number':
      return checkNumber(f, numberOf(f, text));
    case 'numbers':
      return numberList(f, text);
    case 'axis':
      return parseAxis(f, text);
    case 'enum':
      return checkChoice(f, text);
    case 'enums': {
      const items = text.split(',').map((s) => s.trim());
      for (const item of items) {
        if (!f.choices!.includes(item)) {
          throw new ConfigError(`${describeField(f)} = ${formatValue(text)}${items.length > 1 ? `: ${formatValue(item)}` : ''} is not one of ${f.choices!.join(', ')}`);
        }
      }
      return [...new Set(items)];
    }
    case 'string':
      return text;
    case 'boolean':
      throw new ConfigError(`${describeField(f)}: a switch takes no value`);
  }
}
