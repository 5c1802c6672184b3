// Browser tests (`npm run test:browser`): the built page in headless Chromium, served with COOP/COEP (vite preview),
// is cross-origin isolated and trains in a Web Worker on two threads; its weights must equal node's in-process run
// (one thread) bit for bit, and its screenshot must show the loss curve and the W image. Served by a plain static
// server that sends no headers, the page isolates itself through coi-serviceworker and trains on two threads too.
// Needs `npm run build` (dist/, build/release.wasm). Last line: `N passed, N failed` (or a clear SKIPPED line).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng } from './png.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'; // Debian's chromium (no browser downloads)
const repo = fileURLToPath(new URL('../..', import.meta.url));
const configFile = join(repo, 'web/vite.config.ts');
const RUN = { n: 64, m: 16, p: 0.05, seed: 7, steps: 200, batch: 256 };
const LOSS_RGB = [31, 95, 191]; // web/plot.ts LOSS_COLOR
const THEORY_RGB = [224, 112, 0]; // the L*(p, r) line
const started = performance.now();
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  console.log(`${ok ? '  ✓' : '  ✗'} ${name}${detail ? ` (${detail})` : ''}`);
};

const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'web/tsconfig.json')], { encoding: 'utf8' });
check('web/ typechecks', tsc.status === 0, tsc.status === 0 ? '' : (tsc.stdout + tsc.stderr).trim());

if (!existsSync(CHROMIUM)) {
  console.log(`browser tests SKIPPED: ${CHROMIUM} not found (install it: apt-get install -y chromium)`);
  console.log(`${results.filter(Boolean).length} passed, ${results.filter((r) => !r).length} failed`);
  process.exit(results.every(Boolean) ? 0 : 1);
}
for (const file of ['dist/index.js', 'build/release.wasm', 'build/threads.wasm']) {
  if (!existsSync(join(repo, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
}

/** A static file server that sends no COOP/COEP headers (like GitHub Pages), on a free port. */
async function serveStatic(root) {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png' };
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const { build, preview } = await import('vite');
const { chromium } = await import('playwright-core');
await build({ configFile, logLevel: 'warn' });
const server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
const url = server.resolvedUrls.local[0];
const userDataDir = mkdtempSync(join(tmpdir(), 'persian-rug-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const errors = [];
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(RUN).map(([k, v]) => [k, String(v)])), autostart: '1' });
  await page.goto(`${url}?${query}`);
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 30_000 });
  const shown = await page.evaluate(() => ({ ...document.body.dataset, isolated: crossOriginIsolated, status: document.getElementById('status')?.textContent ?? '' }));
  check('the page trains in a Web Worker to the end', shown.state === 'done' && shown.steps === String(RUN.steps), shown.status);
  check('served with COOP/COEP the page is cross-origin isolated and trains on two threads', shown.isolated === true && shown.threads === '2', `crossOriginIsolated ${shown.isolated}, threads ${shown.threads}`);

  const { createTrainer, weightsFingerprint, lossHistoryFingerprint } = await import(join(repo, 'dist/index.js'));
  // Two threads in the browser, one in node: the same weights bit for bit.
  const config = { ...JSON.parse(shown.config ?? '{}'), threads: 1 };
  const local = await createTrainer(config);
  const result = await local.run();
  const nodeHash = weightsFingerprint(await local.weights());
  local.dispose();
  check('browser weights equal node in-process weights, bit for bit', shown.hash === nodeHash, `browser ${shown.hash}, node ${nodeHash}`);
  check('browser loss history equals node in-process loss history', shown.lossHash === lossHistoryFingerprint(result.lossHistory));

  const shotDir = join(repo, 'build/test-browser');
  mkdirSync(shotDir, { recursive: true });
  writeFileSync(join(shotDir, 'page.png'), await page.screenshot({ fullPage: true }));
  const near = (rgba, i, [r, g, b], tolerance = 40) => Math.abs(rgba[i] - r) + Math.abs(rgba[i + 1] - g) + Math.abs(rgba[i + 2] - b) < tolerance;

  const loss = decodePng(await page.locator('#loss').screenshot());
  let curve = 0, theory = 0;
  const curveColumns = new Set();
  for (let i = 0; i < loss.width * loss.height; i++) {
    if (near(loss.rgba, 4 * i, LOSS_RGB)) { curve++; curveColumns.add(i % loss.width); }
    if (near(loss.rgba, 4 * i, THEORY_RGB)) theory++;
  }
  check('the screenshot shows the loss curve across the chart', curve > 300 && curveColumns.size > 0.6 * loss.width, `${curve} curve pixels in ${curveColumns.size} of ${loss.width} columns`);
  check('the screenshot shows the theory line L*(p, r)', theory > 200, `${theory} pixels`);

  const image = decodePng(await page.locator('#weights').screenshot());
  let red = 0, blue = 0;
  const colours = new Set();
  // Every eighth of the image, left to right, must hold coloured cells (a partly drawn canvas once passed the counts).
  const filledEighths = new Set();
  for (let i = 0; i < image.width * image.height; i++) {
    const [r, g, b] = image.rgba.subarray(4 * i, 4 * i + 3);
    if (r > b + 40) red++;
    if (b > r + 40) blue++;
    if (Math.abs(r - b) > 40) filledEighths.add(Math.floor((8 * (i % image.width)) / image.width));
    colours.add((r << 16) | (g << 8) | b);
  }
  const area = image.width * image.height;
  check('the screenshot shows the W image (both signs, many shades, across its whole width)',
    red > 0.02 * area && blue > 0.02 * area && colours.size > 50 && filledEighths.size === 8,
    `${(100 * red / area).toFixed(1)}% red, ${(100 * blue / area).toFixed(1)}% blue, ${colours.size} colours, ${filledEighths.size}/8 eighths coloured`);
  check('no errors in the page console', errors.length === 0, errors.join(' | '));

  // A static host that cannot set headers: coi-serviceworker (copied into the build) isolates the page after one reload.
  const plain = await serveStatic(join(repo, 'build/web'));
  try {
    const page2 = await context.newPage();
    await page2.goto(`${plain.url}?${query}`);
    await page2.waitForFunction(() => crossOriginIsolated && ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
    const shown2 = await page2.evaluate(() => ({ ...document.body.dataset, isolated: crossOriginIsolated }));
    check('on a static host without headers the service worker isolates the page: two threads, same weights', shown2.isolated === true && shown2.threads === '2' && shown2.hash === nodeHash,
      `crossOriginIsolated ${shown2.isolated}, threads ${shown2.threads}, fingerprint ${shown2.hash}`);
    await page2.close();
  } finally {
    await plain.close();
  }
} catch (error) {
  check('browser test harness', false, String(error?.stack ?? error));
} finally {
  await context.close();
  await new Promise((resolve) => server.httpServer.close(resolve));
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`browser tests took ${((performance.now() - started) / 1000).toFixed(1)} s; screenshot: build/test-browser/page.png`);
console.log(`${results.filter(Boolean).length} passed, ${results.filter((r) => !r).length} failed`);
process.exit(results.every(Boolean) ? 0 : 1);
