// Imports point down the layers of ARCHITECTURE.md: every import of every file in src/ (static, dynamic, re-export)
// is checked against the declared order, each folder's README.md states the same "May import" list, assembly/
// imports nothing outside itself, and web/ uses only the package's public entry points.
import { describe, expect, test } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = join(ROOT, 'src');

/**
 * The layers, lowest first. A module may import modules of its own folder and of folders in lower layers, never
 * of its layer's other folders or of a higher layer. `#host` (package.json imports) resolves to src/host.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['api.ts', 'config', 'host', 'inline'],
  ['kernelSet.ts'],
  ['reference', 'wasm'],
  ['theory'],
  ['train'],
  ['io'],
  ['measure', 'plot'],
  ['rug'],
  ['worker', 'bench'],
  ['sweep'],
  ['figures'],
  ['cli'],
  ['index.ts'],
];

/** Imports a layer order allows but the design does not: theory/ is pure TS (the public `persian-rug/theory` has no wasm, no host APIs). */
const FORBIDDEN: ReadonlyArray<[string, string]> = [['theory', 'wasm'], ['theory', 'host'], ['theory', 'inline']];

/** Known upward imports, each with the branch removing it (none now). */
const KNOWN: ReadonlyArray<[string, string]> = [];

const layerOf = new Map(LAYERS.flatMap((folders, level) => folders.map((f) => [f, level] as const)));

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.(ts|mts)$/.test(f) && !f.endsWith('.d.ts')).map((f) => join(dir, f));
}

/** Module specifiers of every import, export-from and import() in a TS source (comments stripped first). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:^|[;\s])(?:import|export)\s[^;'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*(?:as\s+string\s*)?\)/g)) {
    specs.push(m[1] ?? m[2] ?? m[3]);
  }
  return specs;
}

/** The top-level entry of src/ a path inside src/ belongs to: its folder, or the file itself. */
const unit = (pathInSrc: string): string => (pathInSrc.includes('/') ? pathInSrc.split('/')[0] : pathInSrc.replace(/\.js$/, '.ts'));

describe('layers', () => {
  test('every src file is in a declared layer', () => {
    for (const file of files(SRC)) expect(layerOf.has(unit(relative(SRC, file))), relative(SRC, file)).toBe(true);
  });

  test('no import points up (or sideways within a layer, or into a forbidden folder)', () => {
    const problems: string[] = [];
    for (const file of files(SRC)) {
      const from = relative(SRC, file);
      const fromUnit = unit(from);
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        let target: string;
        if (spec === '#host') target = 'host';
        else if (spec.startsWith('.')) target = unit(normalize(join(dirname(from), spec)));
        else continue;
        if (target === fromUnit) continue;
        if (KNOWN.some(([f, t]) => from === f && target === t)) continue;
        const ok = layerOf.has(target) && layerOf.get(target)! < layerOf.get(fromUnit)! && !FORBIDDEN.some(([f, t]) => f === fromUnit && t === target);
        if (!ok) problems.push(`${from} imports ${spec} (${target})`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('the checker sees every kind of import, and none in comments', () => {
    const source = `import a from './a.js';\nexport { b } from "../b.js";\nimport type { C } from './c.js';\nconst d = await import('../d.js');\nimport './e.js';\n// import x from './no.js'\n/* import y from './no2.js' */`;
    expect(importSpecifiers(source).sort()).toEqual(['../b.js', '../d.js', './a.js', './c.js', './e.js']);
  });

  test('each folder of src/ and assembly/ opens with a README.md whose "May import" line is its layer rule', () => {
    const folders = LAYERS.flat().filter((f) => !f.endsWith('.ts'));
    for (const folder of folders) {
      const readme = join(SRC, folder, 'README.md');
      expect(existsSync(readme), readme).toBe(true);
      const line = /^May import: (.*)$/m.exec(readFileSync(readme, 'utf8'))?.[1];
      expect(line, `${readme}: a "May import: ..." line`).toBeDefined();
      const level = layerOf.get(folder)!;
      const allowed = LAYERS.slice(0, level).flat().filter((t) => !FORBIDDEN.some(([f, x]) => f === folder && x === t));
      const listed = line!.replace(/\.$/, '').split(/,\s*/).map((s) => s.replace(/\/$/, '').trim()).filter((s) => s !== 'nothing' && s !== '');
      expect([...listed].sort(), readme).toEqual([...allowed].sort());
    }
    expect(existsSync(join(ROOT, 'assembly', 'README.md'))).toBe(true);
  });

  test('assembly/ imports nothing outside itself', () => {
    for (const file of files(join(ROOT, 'assembly'))) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        expect(spec.startsWith('./') || (spec.startsWith('../') && !normalize(join(dirname(relative(join(ROOT, 'assembly'), file)), spec)).startsWith('..')), `${file}: ${spec}`).toBe(true);
      }
    }
  });

  test('web/ uses the package only through its public entry points', () => {
    for (const file of files(join(ROOT, 'web'))) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        expect(spec.includes('/src/') || spec.startsWith('../'), `${file}: ${spec}`).toBe(false);
      }
    }
  });

  test('one wasm wrapper: outside src/wasm/ no code in src/ or bench/ calls a wasm export directly (WasmKernels does)', () => {
    const sources = [...files(SRC), ...readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.mjs')).map((f) => join(ROOT, 'bench', f))];
    for (const file of sources) {
      if (relative(SRC, file).startsWith('wasm/')) continue;
      expect(readFileSync(file, 'utf8'), relative(ROOT, file)).not.toMatch(/\.exports\.\w+\s*\(/);
    }
  });
});
