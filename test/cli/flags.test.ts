// The one flag layer: every command's flags from a schema, the same message for the same mistake in every command.
import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/config/schema.js';
import { parseFlags } from '../../src/cli/flags.js';
import { TRAIN_FLAGS, TRAIN_USAGE } from '../../src/cli/train.js';
import { THEORY_FLAGS, THEORY_USAGE } from '../../src/cli/theory.js';
import { RUG_FLAGS, RUG_USAGE } from '../../src/cli/rug.js';
import { MEASURE_FLAGS, MEASURE_USAGE } from '../../src/cli/measure.js';
import { SWEEP_FLAGS, SWEEP_USAGE } from '../../src/cli/sweep.js';
import { MERGE_FLAGS, MERGE_USAGE } from '../../src/cli/merge.js';
import { PLOT_FLAGS, PLOT_USAGE } from '../../src/cli/plot.js';
import { REPRODUCE_FLAGS, REPRODUCE_USAGE } from '../../src/cli/reproduce.js';
import { CONVERGE_FLAGS, CONVERGE_USAGE } from '../../src/cli/converge.js';
import { BENCH_FLAGS, BENCH_USAGE } from '../../src/cli/bench.js';
import { TRAIN_SCHEMA } from '../../src/train/config.js';
import { runMain } from '../reliability/cli.js';

const COMMANDS = {
  train: [TRAIN_FLAGS, TRAIN_USAGE], theory: [THEORY_FLAGS, THEORY_USAGE], rug: [RUG_FLAGS, RUG_USAGE],
  measure: [MEASURE_FLAGS, MEASURE_USAGE], sweep: [SWEEP_FLAGS, SWEEP_USAGE], merge: [MERGE_FLAGS, MERGE_USAGE],
  plot: [PLOT_FLAGS, PLOT_USAGE], reproduce: [REPRODUCE_FLAGS, REPRODUCE_USAGE], converge: [CONVERGE_FLAGS, CONVERGE_USAGE],
  bench: [BENCH_FLAGS, BENCH_USAGE],
} as const;

describe('train flags', () => {
  test('map to TrainConfig fields by the schema', () => {
    const flags = parseFlags(TRAIN_FLAGS, ['--n', '256', '--m=32', '--p', '0.1', '--no-bias', '--tied', '--activation', 'gelu', '--json', '--out', 'dir']);
    expect(flags.trainConfig()).toEqual({ nFeatures: 256, nHidden: 32, featureProbability: 0.1, bias: false, tied: true, activation: 'gelu' });
    expect([flags.on('json'), flags.string('out')]).toEqual([true, 'dir']);
  });

  test('importance lists and geometric decay', () => {
    expect(parseFlags(TRAIN_FLAGS, ['--n', '3', '--importance', 'geometric:0.5']).trainConfig().importance).toEqual([1, 0.5, 0.25]);
    expect(parseFlags(TRAIN_FLAGS, ['--importance', 'geometric:0.5', '--n', '2']).trainConfig().importance).toEqual([1, 0.5]);
    expect(parseFlags(TRAIN_FLAGS, ['--importance', '1,2,3']).trainConfig().importance).toEqual([1, 2, 3]);
  });

  test.each([
    [['--bogus', '1'], /unknown flag --bogus/],
    [['--n'], /--n needs a value/],
    [['--n', 'abc'], /nFeatures \(--n\) = "abc" is not an integer/],
    [['--n', '4', '--n', '5'], /--n is given twice/],
    [['train'], /unexpected argument "train"/],
    [['--tied=maybe'], /a switch takes no value/],
    [['--p', '0.1,x'], /"x" is not a number/],
    [['--importance', 'geometric:0x1'], /importance \(--importance\) = "geometric:0x1": R must be a number in \(0, 1\]/],
    [['--bias', '--no-bias'], /--bias and --no-bias conflict; give one of them/],
    [['--json', '--json'], /--json is given twice/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseFlags(TRAIN_FLAGS, argv)).toThrow(ConfigError);
    expect(() => parseFlags(TRAIN_FLAGS, argv)).toThrow(message);
  });

  test('help lists every schema flag', () => {
    for (const f of TRAIN_SCHEMA) expect(TRAIN_USAGE).toContain(`--${f.negatedFlag ?? f.flag}`);
  });
});

describe('every command', () => {
  test.each(Object.entries(COMMANDS))('%s: --help lists each of its flags', (_, [spec, usage]) => {
    for (const f of spec.fields) expect(usage).toContain(`--${f.kind === 'boolean' && f.default === true && f.negatedFlag ? f.negatedFlag : f.flag}`);
    expect(usage).toContain('--help');
  });

  // the same mistake, the same words, in every command that has the flag
  const mistakes: Array<[string, string[], RegExp]> = [
    ['repeated flag', ['--json', '--json'], /^--json is given twice$/],
    ['a flag read as the value of another', ['--seed', '--json'], /^--seed needs a value$/],
    ['hex', ['--seed', '0x10'], /^seed \(--seed\) = "0x10" is not an integer in \[0, 4294967295\]$/],
    ['unknown flag', ['--frobnicate'], /^unknown flag --frobnicate; known flags: /],
    ['switch with a value', ['--json=1'], /^--json=1: a switch takes no value \(or =true \/ =false\)$/],
  ];
  for (const [name, argv, message] of mistakes) {
    test.each(Object.entries(COMMANDS))(`${name}: %s`, (_, [spec]) => {
      const has = (flag: string) => spec.fields.some((f) => f.flag === flag);
      if (!argv.every((a) => !a.startsWith('--') || has(a.slice(2).split('=')[0]) || a === '--frobnicate')) return;
      let error: unknown;
      try { parseFlags(spec, argv); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    });
  }

  test('issue 14 item 5, through main: hex, --bias --no-bias, repeated flags, a flag taken as a value', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['train', '--importance', 'geometric:0x1'], /R must be a number in \(0, 1\]/],
      [['measure', 'x', '--samples', '0x10'], /samples \(--samples\) = "0x10" is not an integer in \[2, 1000000\]/],
      [['train', '--bias', '--no-bias'], /--bias and --no-bias conflict/],
      [['theory', '--p', '0.1', '--p', '0.2', '--r', '0.5'], /--p is given twice/],
      [['measure', 'x', '--seed', '1', '--seed', '2'], /--seed is given twice/],
      [['reproduce', '--scale', 'small', '--scale', 'paper'], /--scale is given twice/],
      [['theory', '--p', '--r', '0.3'], /--p needs a value/],
      [['plot', 'a', '--out', '--at-p', '0.3'], /--out needs a value/],
      [['merge', 'a', '--out', '--json'], /--out needs a value/],
    ];
    for (const [argv, message] of cases) {
      const r = await runMain(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toEqual([expect.stringMatching(message)]);
      expect(r.err[0]).toMatch(new RegExp(`^persian-rug ${argv[0]}: `));
    }
  });
});

test('one flag parser and one usage-error class: no other file in src/ walks argv or declares a usage or config error', () => {
  const root = fileURLToPath(new URL('../../src', import.meta.url));
  const files = readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(`${root}/${file}`, 'utf8');
    if (file !== 'config/schema.ts') expect(text, file).not.toMatch(/class \w*(Usage|Config|Flag)\w* extends/);
    if (file !== 'cli/flags.ts') expect(text, file).not.toMatch(/argv\[|argv\.length/);
  }
});
