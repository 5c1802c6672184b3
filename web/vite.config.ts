// Vite config of the demo page: it consumes the package through its own exports map, as a user's app would.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));

/**
 * Two cores need SharedArrayBuffer, i.e. a cross-origin isolated page. `npm run web` and `vite preview` send the
 * two headers; a host that cannot set headers gets them from the npm package coi-serviceworker (a service worker
 * that adds them), copied into the built page here.
 */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function crossOriginIsolation(): Plugin {
  const file = 'coi-serviceworker.js';
  return {
    name: 'persian-rug:cross-origin-isolation',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'script', attrs: { src: `./${file}` }, injectTo: 'head-prepend' }],
    generateBundle() {
      const source = readFileSync(createRequire(import.meta.url).resolve(`coi-serviceworker/${file}`), 'utf8');
      this.emitFile({ type: 'asset', fileName: file, source });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [crossOriginIsolation()],
  server: { fs: { allow: [repo] }, headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: { outDir: `${repo}build/web`, emptyOutDir: true, target: 'es2022' },
});
