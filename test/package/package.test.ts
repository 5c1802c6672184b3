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
    // the charting packages are optional peers, imported on first use by src/plot/render.ts only (figures)
    const optionalPeers = Object.keys(manifest.peerDependencies ?? {}).filter((name) => manifest.peerDependenciesMeta?.[name]?.optional);
    expect(optionalPeers.sort()).toEqual(['@resvg/resvg-wasm', 'dejavu-fonts-ttf', 'vega', 'vega-lite']);
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...imported].filter((name) => !optionalPeers.includes(name)).sort());
    expect([...imported].filter((name) => optionalPeers.includes(name)).sort()).toEqual(['@resvg/resvg-wasm', 'vega', 'vega-lite']);
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

describe('the inline copies (dist/inline/, for bundlers that do not emit the files)', () => {
  const load = async (name: string) => import(join(repo, 'dist/inline', name));
  it('hold the wasm builds byte for byte', async () => {
    const inline = await load('wasm.js');
    for (const build of ['release', 'threads'] as const) {
      expect(Buffer.from(inline[build], 'base64').equals(readFileSync(join(repo, `build/${build}.wasm`))), build).toBe(true);
    }
  });
  it('hold each worker as one self-contained browser module: no import, no node: built-in', async () => {
    for (const name of ['shardWorker.js', 'trainerWorker.js']) {
      const code = Buffer.from((await load(name)).default, 'base64').toString('utf8');
      expect(code.length, name).toBeGreaterThan(5000);
      expect(code, name).not.toMatch(/(^|[;}\n])\s*import\s*[{*'"\w]|\bimport\(\s*['"`]|[}\w]\s*from\s*['"]|['"`]node:/);
      expect(code, name).toContain('persian-rug:hello');
    }
  });
});

describe('entry points per host (#host by export condition)', () => {
  async function bundleFor(conditionNames: string[]): Promise<string> {
    const { rolldown } = await import('rolldown');
    const build = await rolldown({ input: join(repo, 'dist/index.js'), platform: conditionNames.includes('browser') ? 'browser' : 'node', resolve: { conditionNames }, logLevel: 'silent' });
    const { output } = await build.generate({ format: 'esm', codeSplitting: false });
    await build.close();
    return output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n');
  }

  it('a browser bundle of the package has no node: import and takes the web host', async () => {
    const code = await bundleFor(['browser', 'import', 'default']);
    expect(code).not.toMatch(/['"]node:/);
    expect(code).toContain('crossOriginIsolated');
  });

  it('node takes the host that reads files from disk (no fetch of the package files)', async () => {
    const code = await bundleFor(['node', 'import', 'default']);
    expect(code).toMatch(/['"]node:fs\/promises['"]/);
    expect(code).toMatch(/['"]node:worker_threads['"]/);
    expect(manifest.imports['#host']).toMatchObject({ browser: './dist/host/web.js', node: './dist/host/node.js', deno: './dist/host/node.js', bun: './dist/host/node.js', default: './dist/host/web.js' });
  });
});
