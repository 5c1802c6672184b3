// The charting packages load only where figures are made: nothing reachable from the root export, the theory, the
// worker or the figure specs imports them (or node: APIs, for the specs the page imports); src/plot/render.ts does.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const CHARTING = ['vega', 'vega-lite', '@resvg/resvg-wasm', 'dejavu-fonts-ttf'];

/** Every module specifier reachable from `entry` through relative imports (static and dynamic), and the files visited. */
function reachable(entry: string): { files: Set<string>; specifiers: Set<string> } {
  const files = new Set<string>(), specifiers = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else specifiers.add(spec);
    }
  };
  visit(resolve(entry));
  return { files, specifiers };
}

describe('charting dependencies', () => {
  test.each(['src/index.ts', 'src/theory/index.ts', 'src/worker/worker.ts'])('%s never imports a charting package', (entry) => {
    const { specifiers, files } = reachable(entry);
    for (const name of CHARTING) expect([...specifiers]).not.toContain(name);
    expect([...files].some((f) => f.endsWith(join('plot', 'render.ts')))).toBe(false);
  });

  test('the figure specs (persian-rug/figures) import neither a charting package nor node APIs', () => {
    const { specifiers } = reachable('src/figures/index.ts');
    expect([...specifiers].filter((s) => CHARTING.includes(s) || s.startsWith('node:'))).toEqual([]);
  });

  test('src/plot/render.ts is where they load, on first use (dynamic imports)', () => {
    const text = readFileSync('src/plot/render.ts', 'utf8');
    for (const name of ['vega', 'vega-lite', '@resvg/resvg-wasm']) expect(text).toContain(`import('${name}')`);
    expect(text).not.toMatch(/^import [^t][^;]*from '(vega|vega-lite|@resvg\/resvg-wasm)'/m);
  });
});
