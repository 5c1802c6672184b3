// `npm run bench [-- flags]`: a thin call of `persian-rug bench` (src/cli/bench.ts) on the built package; `--write`
// also puts its table into bench/README.md between the bench:start / bench:end markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { main } from '../dist/cli/main.js';

const args = process.argv.slice(2);
const write = args.includes('--write');
const lines = [];
const code = await main(['bench', ...args.filter((a) => a !== '--write')], {
  stdout: (line) => { console.log(line); lines.push(line); },
  stderr: (line) => console.error(line),
});
if (code === 0 && write && !args.includes('--json')) {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const table = ['<!-- bench:start -->', ...lines, '<!-- bench:end -->'].join('\n');
  writeFileSync(new URL('./README.md', import.meta.url), readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, table));
  console.log('bench: updated bench/README.md');
}
process.exitCode = code;
