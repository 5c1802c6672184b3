// vitest: unit and integration suites in test/ (they import src/ directly; the wasm comes from build/).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `#host` (package.json "imports") is the node host; in the repository it is the source file.
  resolve: { alias: { '#host': fileURLToPath(new URL('./src/host/node.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
