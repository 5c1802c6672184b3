// Vite config of the demo page: it consumes the package through its own exports map, as a user's app would.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // The package is linked to itself (self-reference); keep its `new URL(..., import.meta.url)` intact.
  optimizeDeps: { exclude: ['persian-rug'] },
  server: { fs: { allow: [repo] } },
  worker: { format: 'es' },
  build: { outDir: `${repo}build/web`, emptyOutDir: true, target: 'es2022' },
});
