// `npm pack` / `npm publish` hooks: the repository's `postinstall` (build the wasm and dist/ after cloning) must not
// ship, so installing the package runs no script. prepack removes it from package.json; postpack puts the file back.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const saved = new URL('../.package.json.prepack', import.meta.url);
const step = process.argv[2];

if (step === 'strip') {
  if (existsSync(saved)) renameSync(saved, manifest); // an earlier pack that did not reach postpack
  const text = readFileSync(manifest, 'utf8');
  const json = JSON.parse(text);
  delete json.scripts.postinstall;
  writeFileSync(saved, text);
  writeFileSync(manifest, JSON.stringify(json, null, 2) + '\n');
} else if (step === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exitCode = 2;
}
