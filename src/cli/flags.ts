// The one flag layer: every command declares its flags as FieldSpecs (config/schema.ts, the type TRAIN_SCHEMA uses);
// parsing, --help text, validation messages and repeated / conflicting / missing-value handling all come from here,
// and every mistake is a ConfigError whose message is the same in every command.
//
// Declaring a command's flags:
//
//   const FLAGS: CommandFlags = {
//     fields: [
//       { key: 'featureProbability', flag: 'p', kind: 'number', min: 0, minExclusive: true, max: 1, required: true, help: 'probability a feature is on' },
//       { key: 'out', flag: 'out', kind: 'string', valueName: 'DIR', help: 'output directory' },
//       { key: 'json', flag: 'json', kind: 'boolean', help: 'print one JSON object on the last stdout line' },
//       trainField('seed'),                      // a TrainConfig flag, exactly as `train` has it
//     ],
//     positional: { name: 'RUN_DIR', min: 1, max: 1, missing: 'RUN_DIR is required (...)' },   // optional
//     exclusive: [['json', 'csv']],            // pairs that may not both be given
//   };
//   export const USAGE = usageText('usage: persian-rug x [flags]\n\nWhat it does.', FLAGS);
//   export async function runX(argv, io) {
//     const flags = parseCommand(io, 'x', FLAGS, USAGE, argv);     // --help printed (0) or the mistake's line (2)
//     if (typeof flags === 'number') return flags;
//     try {
//       ... checks that need several values: throw new ConfigError(...)
//     } catch (error) { return usageFailure(io, 'x', error); }
//     flags.number('featureProbability'), flags.string('out'), flags.on('json'), flags.list('axis'), flags.given('out')
//
// Rules every command gets: flags are --name VALUE or --name=VALUE; a value never starts with "--" (so `--p --r 0.3`
// is "--p needs a value"); numbers are decimal (no hex, no "1_000"); a flag given twice, or a switch with its
// negation (--bias --no-bias), is refused; switches take no value (or =true / =false); --help (or -h) anywhere
// prints the usage. Range checks use the field's min/max; a range that depends on another flag (m <= n) is
// checked by the command with checkNumber({ ...field, max }, value), so the message keeps the same form.
import { TRAIN_SCHEMA } from '../train/config.js';
import type { TrainConfig } from '../api.js';
import { ConfigError, describeField, formatValue, parseFieldText, type FieldSpec } from '../config/schema.js';
import { EXIT, type CliIo } from './io.js';

export interface CommandFlags {
  fields: readonly FieldSpec[];
  /** Arguments that are not flags (files, a run directory); none when absent. */
  positional?: { name: string; min: number; max: number; missing: string };
  /** Pairs of keys that may not both be given. */
  exclusive?: ReadonlyArray<readonly [string, string]>;
}

/** Parsed flags: the given values (defaults from the spec when read through the getters) and the positional arguments. */
export class Flags {
  constructor(
    readonly help: boolean,
    private readonly fields: ReadonlyMap<string, FieldSpec>,
    /** Values of the flags given, by key. */
    readonly values: Readonly<Record<string, unknown>>,
    readonly positional: readonly string[],
  ) {}

  given(key: string): boolean {
    return key in this.values;
  }

  private value(key: string): unknown {
    if (!this.fields.has(key)) throw new Error(`no flag with key ${key}`);
    return key in this.values ? this.values[key] : this.fields.get(key)!.default;
  }

  number(key: string): number | undefined {
    return this.value(key) as number | undefined;
  }

  string(key: string): string | undefined {
    return this.value(key) as string | undefined;
  }

  list(key: string): number[] | undefined {
    return this.value(key) as number[] | undefined;
  }

  strings(key: string): string[] | undefined {
    const v = this.value(key);
    return typeof v === 'string' ? v.split(',') : v as string[] | undefined;
  }

  on(key: string): boolean {
    return this.value(key) === true;
  }

  /** The given flags that are TrainConfig fields (a one-value --p as a number), for resolveTrainConfig. */
  trainConfig(): Partial<TrainConfig> {
    const config: Record<string, unknown> = {};
    for (const f of TRAIN_SCHEMA) {
      if (!(f.key in this.values) || this.fields.get(f.key) !== f) continue;
      const v = this.values[f.key];
      config[f.key] = f.key === 'featureProbability' && Array.isArray(v) && v.length === 1 ? v[0] : v;
    }
    return config as Partial<TrainConfig>;
  }
}

/** The field of a command's flags with this key (for checks against a range that depends on another flag). */
export function fieldOf(spec: CommandFlags, key: string): FieldSpec {
  const f = spec.fields.find((field) => field.key === key);
  if (!f) throw new Error(`no flag with key ${key}`);
  return f;
}

/** A TrainConfig flag exactly as `train` declares it. */
export function trainField(key: keyof TrainConfig): FieldSpec {
  const f = TRAIN_SCHEMA.find((field) => field.key === key);
  if (!f) throw new Error(`no TrainConfig field ${key}`);
  return f;
}

function parseSwitch(name: string, inline: string | undefined): boolean {
  if (inline === undefined || inline === 'true') return true;
  if (inline === 'false') return false;
  throw new ConfigError(`--${name}=${inline}: a switch takes no value (or =true / =false)`);
}

/** Parses argv by the command's flags. Throws ConfigError (nothing else) on any mistake. */
export function parseFlags(spec: CommandFlags, argv: readonly string[]): Flags {
  const byKey = new Map(spec.fields.map((f) => [f.key, f]));
  if (argv.includes('--help') || argv.includes('-h')) return new Flags(true, byKey, {}, []);
  const byFlag = new Map<string, { field: FieldSpec; negated: boolean }>();
  for (const f of spec.fields) {
    byFlag.set(f.flag, { field: f, negated: false });
    if (f.negatedFlag) byFlag.set(f.negatedFlag, { field: f, negated: true });
  }
  const values: Record<string, unknown> = {};
  const givenAs = new Map<string, string>();
  const texts = new Map<string, string>();
  const deferred: Array<[FieldSpec, string]> = [];
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (!spec.positional) throw new ConfigError(`unexpected argument ${formatValue(arg)}; flags look like --name value (see --help)`);
      positional.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { inline = name.slice(eq + 1); name = name.slice(0, eq); }
    const entry = byFlag.get(name);
    if (!entry) {
      const known = [...byFlag.keys()].map((f) => `--${f}`).join(' ');
      throw new ConfigError(`unknown flag --${name}; known flags: ${known} --help`);
    }
    const f = entry.field;
    const before = givenAs.get(f.key);
    if (before !== undefined) throw new ConfigError(before === name ? `--${name} is given twice` : `--${before} and --${name} conflict; give one of them`);
    givenAs.set(f.key, name);
    if (f.kind === 'boolean') {
      const on = parseSwitch(name, inline);
      values[f.key] = entry.negated ? !on : on;
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`--${name} needs a value`);
      text = next;
      i++;
    }
    if (text.trim() === '') throw new ConfigError(`--${name} needs a value`);
    texts.set(f.key, text);
    if (f.parse) deferred.push([f, text]);
    else values[f.key] = parseFieldText(f, text);
  }
  for (const [f, text] of deferred) values[f.key] = parseFieldText(f, text, values);
  for (const f of spec.fields) {
    if (f.required && !(f.key in values)) throw new ConfigError(`--${f.flag} is required (see --help)`);
  }
  for (const [a, b] of spec.exclusive ?? []) {
    if (a in values && b in values) {
      const fa = byKey.get(a)!, fb = byKey.get(b)!;
      const show = (f: FieldSpec) => (f.kind === 'boolean' ? `--${givenAs.get(f.key)}` : `${describeField(f)} = ${texts.get(f.key)}`);
      throw new ConfigError(`${show(fa)} and ${show(fb)} conflict; give one of them`);
    }
  }
  if (spec.positional) {
    const p = spec.positional;
    if (positional.length < p.min) throw new ConfigError(p.missing);
    if (positional.length > p.max) throw new ConfigError(`${p.max === 1 ? 'one' : `at most ${p.max}`} ${p.name} expected, got ${positional.length}: ${positional.join(' ')}`);
  }
  return new Flags(false, byKey, values, positional);
}

const WIDTH = 112;

/** --help lines of the fields: `  --flag VALUE   help (default X)`, wrapped. */
function flagHelp(fields: readonly FieldSpec[]): string {
  const rows = fields.map((f) => {
    const placeholder = f.valueName ?? (f.kind === 'enum' ? f.choices!.join('|') : f.kind === 'int' ? 'N' : f.kind === 'axis' ? 'VALUES' : f.kind === 'string' ? 'TEXT' : f.kind === 'enums' ? 'LIST' : 'X');
    const name = f.negatedFlag && f.default === true ? `--${f.negatedFlag}` : f.kind === 'boolean' ? `--${f.flag}` : `--${f.flag} ${placeholder}`;
    const def = f.negatedFlag && f.default === true ? '' : f.defaultText ?? (f.default !== undefined && f.kind !== 'boolean' ? String(f.default) : '');
    return [name, f.help + (def ? ` (default ${def})` : '') + (f.required ? ' (required)' : '')];
  });
  rows.push(['--help', 'this text']);
  // the name column fits the usual names; a longer name (an enum's choices) stands on its own line
  const width = Math.min(Math.max(...rows.map((r) => r[0].length)), 22) + 2;
  const lines: string[] = [];
  for (const [name, text] of rows) {
    let line = `  ${name.padEnd(width)}`;
    if (name.length >= width) {
      lines.push(`  ${name}`);
      line = ' '.repeat(width + 2);
    }
    let words = 0;
    for (const word of text.split(' ')) {
      if (words > 0 && line.length + word.length + 1 > WIDTH) {
        lines.push(line.trimEnd());
        line = ' '.repeat(width + 2);
        words = 0;
      }
      line += (words > 0 ? ' ' : '') + word;
      words++;
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}

/** A command's --help: its description, then its flags. */
export function usageText(head: string, spec: CommandFlags, tail = ''): string {
  return `${head}\n\nflags:\n${flagHelp(spec.fields)}${tail ? `\n${tail}` : ''}`;
}

/** A ConfigError as the command's one stderr line and exit code 2; anything else is rethrown. */
export function usageFailure(io: Pick<CliIo, 'stderr'>, command: string, error: unknown): number {
  if (!(error instanceof ConfigError)) throw error;
  io.stderr(`persian-rug ${command}: ${error.message}`);
  return EXIT.usage;
}

/**
 * The start of every command: argv parsed by `spec`. --help prints `usage` and a mistake prints its one stderr line;
 * then the command is done and this returns its exit code (0 or 2). Otherwise it returns the flags.
 */
export function parseCommand(io: Pick<CliIo, 'stdout' | 'stderr'>, command: string, spec: CommandFlags, usage: string, argv: readonly string[]): Flags | number {
  let flags: Flags;
  try {
    flags = parseFlags(spec, argv);
  } catch (error) {
    return usageFailure(io, command, error);
  }
  if (!flags.help) return flags;
  io.stdout(usage);
  return EXIT.ok;
}
