// The package as shipped: what `npm pack` puts in the tarball holds every file the code may load, installs with no
// script, depends only on what runtime code imports, and its source maps carry their sources.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, packageVersion } from '../../src/cli/main.js';
import { runCommand } from '../helpers.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('the tarball', () => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8' });
  const files = new Set<string>((JSON.parse(packed.stdout)[0].files as { path: string }[]).map((f) => f.path));
  const dist = filesUnder(join(repo, 'dist')).filter((f) => f.endsWith('.js'));

  it('holds every file that shipped code loads by `new URL(..., import.meta.url)` (wasm builds, worker scripts)', () => {
    const loaded = new Set<string>();
    for (const file of dist) {
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/new URL\(['"`]([^'"`]+)['"`], import\.meta\.url\)/g)) {
        if (!/\.(wasm|js)$/.test(target)) continue; // not a file the code loads (e.g. the package root, the repository check)
        loaded.add(relative(repo, join(dirname(file), target)).replaceAll('\\', '/'));
      }
    }
    expect([...loaded].sort()).toEqual(expect.arrayContaining(['build/release.wasm', 'build/threads.wasm', 'dist/train/shardWorker.js', 'dist/worker/worker.js']));
    expect([...loaded].filter((f) => !files.has(f))).toEqual([]);
  });

  it('holds the theory notes the help texts cite, the licence and the CLI', () => {
    for (const f of ['docs/theory.md', 'LICENSE', 'README.md', 'bin/persian-rug.js', 'package.json']) expect(files.has(f), f).toBe(true);
  });

  it('ships source maps only with their sources inside them', () => {
    const maps = [...files].filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const map of maps) {
      const json = JSON.parse(readFileSync(join(repo, map), 'utf8'));
      expect(json.sourcesContent?.length, map).toBe(json.sources.length);
    }
  });

  it('runs no script when installed (only the repository builds on npm install) and depends only on what runtime code imports', () => {
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'];
    // prepack removes the repository's postinstall from the packed package.json (scripts/pack-manifest.mjs)
    expect(Object.keys(manifest.scripts).filter((s) => installScripts.includes(s))).toEqual(['postinstall']);
    expect(manifest.scripts.prepack).toContain('strip');
    const imported = new Set<string>();
    for (const file of dist) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"./#][^'"]*)['"]/g)) {
        if (spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...imported].sort());
  });
});

describe('persian-rug --version', () => {
  it('--version and -v print the package version and exit 0', async () => {
    for (const flag of ['--version', '-v']) {
      const { code, stdout } = await runCommand(main, flag);
      expect(code).toBe(0);
      expect(stdout).toEqual([manifest.version]);
    }
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('the theory notes', () => {
  it('every citation of the theory points at docs/theory.md, which is in the repository (PAPER.md is not)', () => {
    const roots = ['src', 'web', 'bench', 'test', 'scripts', 'assembly'].map((d) => join(repo, d));
    const files = [...roots.flatMap((root) => filesUnder(root)), join(repo, 'README.md'), join(repo, 'ARCHITECTURE.md')]
      .filter((f) => /\.(ts|mjs|js|md|html)$/.test(f) && !f.endsWith('package.test.ts'));
    const citing = files.filter((f) => readFileSync(f, 'utf8').includes('PAPER' + '.md')).map((f) => relative(repo, f));
    expect(citing).toEqual([]);
    const sections = [...readFileSync(join(repo, 'docs/theory.md'), 'utf8').matchAll(/^## (\d)\. /gm)].map((m) => Number(m[1]));
    expect(sections).toEqual([1, 2, 3, 4, 5, 6]);
    expect(readFileSync(join(repo, 'docs/theory.md'), 'utf8')).toContain('arXiv:2410.12101');
  });
});
