// Screenshots of the page's sections for the READMEs (docs/page/*.png): `node scripts/page-screenshots.mjs` after
// `npm run build`; headless Chromium (/usr/bin/chromium), 960 x 640 viewport. Each is taken at the URL the README shows.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const out = join(repo, 'docs/page');
mkdirSync(out, { recursive: true });
const temp = mkdtempSync(join(tmpdir(), 'persian-rug-shots-'));
const results = join(temp, 'results.jsonl');
spawnSync(process.execPath, [join(repo, 'bin/persian-rug.js'), 'sweep', '--kind', 'trained,rug,theory,linear', '--n', '64,128', '--r', '0.1,0.25,0.5',
  '--p', '0.01,0.05,0.2', '--steps', '300', '--batch', '256', '--rug-samples', '4000', '--out', results], { stdio: 'inherit' });

const { build, preview } = await import('vite');
const configFile = join(repo, 'web/vite.config.ts');
await build({ configFile, logLevel: 'warn' });
const server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
const url = server.resolvedUrls.local[0];
const { chromium } = await import('playwright-core');
const profile = mkdtempSync(join(tmpdir(), 'persian-rug-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 960, height: 640 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = context.pages()[0];
const wait = (fn) => page.waitForFunction(fn, null, { timeout: 120_000 });
const scrollTo = (selector) => page.evaluate((s) => document.querySelector(s).scrollIntoView(), selector);
try {
  await page.goto(`${url}?section=train&n=512&m=128&p=0.045&seed=0&steps=1500&autostart=1`);
  await wait(() => document.body.dataset.state === 'done' && Number(document.body.dataset.statsReady ?? 0) > 0);
  await page.waitForTimeout(500);
  await scrollTo('#controls');
  await page.screenshot({ path: join(out, 'train.png') });
  await page.goto(`${url}?section=theory&view=0.044,0.254`);
  await wait(() => document.body.dataset.theorySlices !== undefined);
  await page.evaluate(() => document.querySelector('#heatmap rect.cell[data-row="6"][data-col="1"]').dispatchEvent(new MouseEvent('mousemove', { bubbles: true })));
  await scrollTo('#theory-status');
  await page.screenshot({ path: join(out, 'theory.png') });
  await page.goto(`${url}?section=rug&n=1024&m=256&p=0.045&seed=0&steps=1000&view=0,0,256`);
  await wait(() => document.body.dataset.rugLoss !== undefined);
  await page.click('#rug-train');
  await wait(() => document.body.dataset.rugTrained !== undefined);
  await page.waitForTimeout(500);
  await scrollTo('#rug-status');
  await page.screenshot({ path: join(out, 'rug.png') });
  await page.goto(`${url}?section=results`);
  await page.evaluate((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'results.jsonl'));
    const input = document.getElementById('results-file');
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, readFileSync(results, 'utf8'));
  await wait(() => Number(document.body.dataset.resultsFigures ?? 0) > 0);
  await scrollTo('#figures figure[data-name="loss-vs-r"]');
  await page.screenshot({ path: join(out, 'results.png') });
  await page.goto(`${url}?section=speed`);
  await page.click('#speed-run');
  await wait(() => document.body.dataset.speed !== undefined);
  await page.screenshot({ path: join(out, 'speed.png') });
} finally {
  await context.close();
  server.httpServer.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(temp, { recursive: true, force: true });
}
console.log(`wrote ${out}/{train,theory,rug,results,speed}.png`);
