// Browser tests (`npm run test:browser`): the built page in headless Chromium (playwright-core) and Firefox ESR
// (puppeteer-core over WebDriver BiDi), clicked through every section. Served with COOP/COEP (vite preview) the page is
// cross-origin isolated and trains on two threads; on a static host that sends no headers coi-serviceworker isolates
// it. Numbers are checked against the library in node: the trained weights bit for bit (two threads there, one here),
// L* at a hovered cell, the rug's loss within its standard error, a loaded run's statistics against `persian-rug
// measure`; images must be drawn; any console error or warning fails.
// Needs `npm run build`. Screenshots go to build/test-browser/ (git-ignored). Last line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng } from './png.mjs';

const BROWSERS = {
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', // Debian's chromium (no browser downloads)
  firefox: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
};
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const repo = fileURLToPath(new URL('../..', import.meta.url));
const configFile = join(repo, 'web/vite.config.ts');
const RUN = { n: 256, m: 64, p: 0.05, seed: 7, steps: 600, batch: 256 };
const LOADED = { n: 128, m: 32, p: 0.05, seed: 3, steps: 300, batch: 256 };
const RUG = { n: 256, m: 64, p: 0.05, seed: 0, samples: 20000 };
const shotDir = join(repo, 'build/test-browser');
const started = performance.now();
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  console.log(`${ok ? '  ✓' : '  ✗'} ${name}${detail ? ` (${detail})` : ''}`);
};
const finish = () => {
  console.log(`browser tests took ${((performance.now() - started) / 1000).toFixed(1)} s; screenshots in build/test-browser/`);
  console.log(`${results.filter(Boolean).length} passed, ${results.filter((r) => !r).length} failed`);
  process.exit(results.every(Boolean) ? 0 : 1);
};
const close = (a, b, relative = 1e-9) => (a === b) || (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b)));

const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'web/tsconfig.json')], { encoding: 'utf8' });
check('web/ typechecks', tsc.status === 0, tsc.status === 0 ? '' : (tsc.stdout + tsc.stderr).trim());

const missing = Object.entries(BROWSERS).filter(([, path]) => !existsSync(path));
for (const [name, path] of missing) console.log(`browser tests SKIPPED for ${name}: ${path} not found (install it: apt-get install -y ${name === 'firefox' ? 'firefox-esr' : 'chromium'})`);
if (missing.length === Object.keys(BROWSERS).length) finish();
for (const file of ['dist/index.js', 'build/release.wasm', 'build/threads.wasm']) {
  if (!existsSync(join(repo, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
}

// ---- expectations computed in node, with the package's own API and CLI ----
const lib = await import(join(repo, 'dist/index.js'));
const bench = await import(join(repo, 'dist/bench/index.js'));
const figures = await import(join(repo, 'dist/figures/index.js'));
const fixtures = mkdtempSync(join(tmpdir(), 'persian-rug-browser-'));
const cli = (...args) => {
  const r = spawnSync(process.execPath, [join(repo, 'bin/persian-rug.js'), ...args], { encoding: 'utf8', cwd: fixtures });
  if (r.status !== 0) throw new Error(`persian-rug ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};
const runDir = join(fixtures, 'run');
cli('train', '--n', String(LOADED.n), '--m', String(LOADED.m), '--p', String(LOADED.p), '--seed', String(LOADED.seed), '--steps', String(LOADED.steps),
  '--batch', String(LOADED.batch), '--threads', '1', '--out', runDir);
// the same run cut at step CUT (run.json, weights, checkpoint as a paused page downloads them) and `train --resume` of it
const CUT = 150;
const cutDir = join(fixtures, 'cut');
{
  const cfg = { nFeatures: LOADED.n, nHidden: LOADED.m, featureProbability: LOADED.p, seed: LOADED.seed, steps: LOADED.steps, batch: LOADED.batch, threads: 1 };
  const t = await lib.createTrainer(cfg);
  let at = 0;
  const r = await t.run({ progressEverySteps: 50, onProgress: (p) => { at = p.step; }, shouldStop: () => at >= CUT });
  const files = lib.encodeRunFiles(r, await t.weights());
  mkdirSync(cutDir);
  writeFileSync(join(cutDir, 'run.json'), files['run.json']);
  writeFileSync(join(cutDir, 'weights.safetensors'), files['weights.safetensors']);
  writeFileSync(join(cutDir, 'checkpoint.safetensors'), lib.encodeCheckpoint(await t.checkpoint(), JSON.parse(files['run.json']).runId));
  t.dispose();
}
cli('train', '--resume', cutDir, '--out', join(fixtures, 'resumed'), '--threads', '1');
const resumedHash = lib.weightsFingerprint(lib.decodeWeights(new Uint8Array(readFileSync(join(fixtures, 'resumed', 'weights.safetensors')))));
const measured = JSON.parse(cli('measure', runDir, '--backend', 'js', '--json').trim().split('\n').pop());
const loadedHash = lib.weightsFingerprint(lib.decodeWeights(new Uint8Array(readFileSync(join(runDir, 'weights.safetensors')))));
const resultsFile = join(fixtures, 'results.jsonl');
cli('sweep', '--kind', 'trained,rug,theory,linear', '--n', '32,64', '--r', '0.1,0.3', '--p', '0.01,0.05,0.2', '--steps', '60', '--batch', '128',
  '--workers', '0', '--rug-samples', '2000', '--out', resultsFile);
const local = await lib.createTrainer({ nFeatures: RUN.n, nHidden: RUN.m, featureProbability: RUN.p, seed: RUN.seed, steps: RUN.steps, batch: RUN.batch, evalSamples: 16384, threads: 1 });
const localResult = await local.run();
const nodeHash = lib.weightsFingerprint(await local.weights());
const nodeLossHash = lib.lossHistoryFingerprint(localResult.lossHistory);
// the page's stop-rule option: epochs = ceil(steps batch / 30,000) of 30,000 samples (web/train.ts readForm), in node
const stopRuleRun = await (async () => {
  const t = await lib.createTrainer({ nFeatures: LOADED.n, nHidden: LOADED.m, featureProbability: LOADED.p, seed: LOADED.seed, batch: LOADED.batch, evalSamples: 16384,
    epochs: Math.ceil((LOADED.steps * LOADED.batch) / 30000), samplesPerEpoch: 30000, threads: 1 });
  const r = await t.run();
  const hash = lib.weightsFingerprint(await t.weights());
  t.dispose();
  return { hash, steps: r.steps, stopReason: r.stopReason };
})();
// the figure of `persian-rug plot RUN_DIR` for this run (persian-rug/figures): the page must show its bars on hover
const nodeHistogram = figures.runHistogramFigure({ nFeatures: RUN.n, nHidden: RUN.m, p: RUN.p, perFeatureP: false, lossHistory: localResult.lossHistory,
  evalLoss: localResult.evalLoss, steps: RUN.steps }, await local.weights());
const nodeBars = nodeHistogram.spec.data.values.filter((v) => v.series === 'histogram');
local.dispose();
const rugEngine = await lib.createRugEngine('js', RUG.n, RUG.p);
const rugBuilt = lib.createRug(RUG.n, RUG.m, RUG.seed, 0);
rugEngine.setRug(rugBuilt);
const rugNode = lib.evaluateRug(rugEngine, lib.theoryRugFit(rugBuilt, RUG.p), RUG.seed, RUG.samples);
rugEngine.dispose();

/** A static file server that sends no COOP/COEP headers (like GitHub Pages), on a free port. */
async function serveStatic(root, missing = []) {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png' };
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      if (missing.some((name) => path.endsWith(name))) throw new Error('hidden');
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

// ---- the page, built and served as `vite preview` serves it (with COOP/COEP), and by a plain static server ----
const { build, preview } = await import('vite');
await build({ configFile, logLevel: 'warn' });
const server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
const url = server.resolvedUrls.local[0];
const plain = await serveStatic(join(repo, 'build/web'));
const bare = await serveStatic(join(repo, 'build/web'), ['coi-serviceworker.js']);
mkdirSync(shotDir, { recursive: true });

/** CPU time (clock ticks) of every thread on the machine, by "process/thread/tid" (Linux /proc; empty elsewhere). */
function threadTicks() {
  const ticks = new Map();
  let pids = [];
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return ticks; }
  for (const pid of pids) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const end = stat.lastIndexOf(')');
        const fields = stat.slice(end + 2).split(' ');
        ticks.set(`${comm}/${stat.slice(stat.indexOf('(') + 1, end)}/${tid}`, Number(fields[11]) + Number(fields[12]));
      }
    } catch { /* the process ended meanwhile */ }
  }
  return ticks;
}

/** The busiest threads on the machine over the next second, for a stall's report ("82% Isolated Web Co/DOM Worker/123, ..."). */
async function busiestThreads() {
  const before = threadTicks();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rows = [...threadTicks()].map(([name, t]) => [name, t - (before.get(name) ?? t)]).filter(([, d]) => d > 5).sort((a, b) => b[1] - a[1]);
  return rows.slice(0, 6).map(([name, d]) => `${d}% ${name}`).join(', ') || 'none above 5%';
}

/**
 * `wait()`; if it times out, one line says what did not happen, the page's status line (#statusId), the busiest
 * threads and the load, then `again()` (a reload, returning the new page) and `wait()` once more. For the
 * intermittent Firefox stalls described where it is called: said, retried once. Returns the page waited on.
 */
async function waitOrReloadOnce(name, page, { what, statusId, wait, again }) {
  try {
    await wait();
    return page;
  } catch {
    const stuck = await page.evaluate((id) => document.getElementById(id)?.textContent ?? '', statusId).catch(() => '?');
    console.log(`    (${name}: ${what}, status "${stuck}"; busiest threads: ${await busiestThreads()}; load average ${loadavg()[0].toFixed(1)}; reloading once)`);
    const next = await again();
    await wait();
    return next;
  }
}

/** Charts are SVG strings swapped in whole on redraw: an element screenshot taken as one is replaced is taken again. */
async function retry(take, attempts = 4) {
  for (let i = 1; ; i++) {
    try {
      return await take();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

/** The same few operations over playwright-core (Chromium) and puppeteer-core (Firefox over WebDriver BiDi). */
async function openBrowser(name) {
  if (name === 'chromium') {
    const { chromium } = await import('playwright-core');
    const userDataDir = mkdtempSync(join(tmpdir(), 'persian-rug-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: BROWSERS.chromium, headless: true, viewport: { width: 1440, height: 1000 }, args: CHROMIUM_ARGS, acceptDownloads: true });
    const page = context.pages()[0] ?? await context.newPage();
    return {
      page,
      on: (event, handler) => page.on(event, handler),
      goto: async (target) => { await page.goto(target); return page; },
      // polled every 100 ms, not every animation frame: the harness keeps off the page's main thread it measures
      wait: (fn, arg, timeout = 60_000) => page.waitForFunction(fn, arg, { timeout, polling: 100 }),
      elementPng: (selector) => retry(() => page.locator(selector).first().screenshot({ timeout: 10_000 })),
      viewport: (width, height) => page.setViewportSize({ width, height }),
      init: (fn) => page.addInitScript(fn),
      download: async (selector) => {
        const [first] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
        return first;
      },
      close: async () => { await context.close(); rmSync(userDataDir, { recursive: true, force: true }); },
    };
  }
  const { default: puppeteer } = await import('puppeteer-core');
  const launch = () => puppeteer.launch({ browser: 'firefox', executablePath: BROWSERS.firefox, headless: true, protocol: 'webDriverBiDi' });
  let browser;
  // Each navigation gets a new Firefox: in Firefox ESR 140 (Debian's, December 2026) a training page loaded into a tab
  // whose content process already ran one trains about 30x slower (that process's main thread sits at 100% CPU while
  // the page's own timers run on time); seen in every same-tab reload here, and in new tabs of the same browser too.
  // A fresh browser never showed it. Not understood; said in web/README.md.
  const listeners = [];
  const inits = [];
  let page;
  const size = { width: 1440, height: 1000 };
  // puppeteer's setViewport sends emulation.setViewport and emulation.setScreenOrientationOverride together; Firefox
  // ESR 140 knows only the first, so the size is set with the first alone, and checked.
  const setViewport = async (width, height) => {
    Object.assign(size, { width, height });
    try {
      await page.setViewport({ width, height });
    } catch (error) {
      if (!/setScreenOrientationOverride/.test(String(error?.message))) throw error;
      await page.mainFrame().browsingContext.setViewport({ viewport: { width, height }, devicePixelRatio: null });
    }
    let inner = 0;
    for (let i = 0; i < 20 && inner !== width; i++) {
      inner = await page.evaluate(() => window.innerWidth);
      if (inner !== width) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (inner !== width) throw new Error(`firefox: the viewport is ${inner} px wide after asking for ${width} px`);
  };
  const openTab = async () => {
    if (browser) await browser.close();
    browser = await launch();
    page = await browser.newPage();
    for (const [event, handler] of listeners) page.on(event, handler);
    for (const fn of inits) await page.evaluateOnNewDocument(fn);
    await setViewport(size.width, size.height);
  };
  await openTab();
  return {
    get page() { return page; },
    on: (event, handler) => { listeners.push([event, handler]); page.on(event, handler); },
    goto: async (target) => { await openTab(); await page.goto(target); return page; },
    wait: (fn, arg, timeout = 60_000) => page.waitForFunction(fn, { timeout, polling: 100 }, arg),
    elementPng: (selector) => retry(async () => Buffer.from(await (await page.$(selector)).screenshot())),
    viewport: setViewport,
    init: (fn) => { inits.push(fn); return page.evaluateOnNewDocument(fn); },
    download: null,
    close: () => browser?.close(),
  };
}

/** Fraction of eighths (left to right) of an element's screenshot that hold non-background pixels, and the colours seen. */
function drawn(png) {
  const image = decodePng(png);
  const eighths = new Set();
  const colours = new Set();
  let ink = 0;
  for (let i = 0; i < image.width * image.height; i++) {
    const [r, g, b] = image.rgba.subarray(4 * i, 4 * i + 3);
    colours.add((r << 16) | (g << 8) | b);
    if (Math.min(r, g, b) < 235 && !(r === 250 && g === 250 && b === 250)) { ink++; eighths.add(Math.floor((8 * (i % image.width)) / image.width)); }
  }
  return { eighths: eighths.size, colours: colours.size, ink: ink / (image.width * image.height) };
}
/** The heartbeat timer's interval (the init script's setInterval) for the main-thread probe. */
const HEARTBEAT_MS = 10;
/** Seconds of Chromium's measured training run: the machine's speed for judging the next browser's runs. */
let referenceSeconds;
const drawnOk = (d, minColours = 20) => d.eighths === 8 && d.colours >= minColours && d.ink > 0.02;
const show = (d) => `${d.eighths}/8 eighths inked, ${d.colours} colours, ${(100 * d.ink).toFixed(0)}% ink`;

/** Hovers the middle of the tallest (or the middle) element matching `selector`; the vega tooltip's rows as key -> text. */
async function hoverTooltip(b, selector, pick = 'tallest') {
  const box = await b.page.evaluate(({ selector, pick }) => {
    const items = [...document.querySelectorAll(selector)].map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);
    if (!items.length) return null;
    const r = pick === 'tallest' ? items.reduce((a, c) => (c.height > a.height ? c : a)) : items[Math.floor(items.length / 2)];
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  }, { selector, pick });
  if (!box) return null;
  // vega-tooltip fills one element per page on hover (Firefox over BiDi may leave it without its 'visible' class): clear it first
  await b.page.evaluate(() => document.getElementById('vg-tooltip-element')?.replaceChildren());
  await b.page.mouse.move(Math.max(0, box.x - 30), Math.max(0, box.y - 30));
  await b.page.mouse.move(box.x, box.y, { steps: 4 });
  try {
    await b.wait(() => document.querySelector('#vg-tooltip-element td.value') !== null, undefined, 10_000);
  } catch {
    return null;
  }
  const rows = await b.page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#vg-tooltip-element tr')]
    .map((tr) => [tr.querySelector('.key')?.textContent?.replace(/:$/, '').trim(), tr.querySelector('.value')?.textContent?.trim()])));
  await b.page.mouse.move(1, 1);
  return rows;
}

/** A number as printed (any precision, trailing zeros dropped) equals `value` to the digits it shows. */
function printedEquals(text, value) {
  const t = String(text ?? '').trim().replace(/,/g, '').replace('\u2212', '-');
  const x = Number(t);
  if (!Number.isFinite(x) || !Number.isFinite(value)) return false;
  const digits = Math.max(1, t.replace(/e.*$/i, '').replace(/^-/, '').replace('.', '').replace(/^0+/, '').length);
  return Math.abs(x - value) <= 0.51 * 10 ** (Math.floor(Math.log10(Math.abs(value) || 1)) - digits + 1);
}

/** Puts files (name -> bytes) into a file input as a user choosing them would, and fires its change event. */
async function chooseFiles(page, selector, files) {
  const payload = Object.entries(files).map(([name, bytes]) => [name, Buffer.from(bytes).toString('base64')]);
  await page.evaluate(({ selector, payload }) => {
    const transfer = new DataTransfer();
    for (const [name, base64] of payload) transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
    const input = document.querySelector(selector);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, { selector, payload });
}

async function testBrowser(name) {
  console.log(`${name}:`);
  const b = await openBrowser(name);
  let { page } = b;
  const problems = [];
  const notes = [];
  b.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  b.on('console', (message) => {
    const type = message.type();
    if (type === 'error' || type === 'warning' || type === 'warn') problems.push(`console ${type}: ${message.text()}`);
    if (message.text().startsWith('persian-rug:')) notes.push(message.text());
  });
  // Long main-thread tasks: PerformanceObserver 'longtask' where supported (Chromium); a 10 ms heartbeat's largest gap everywhere.
  await b.init(() => {
    window.__longTasks = [];
    window.__gaps = [];
    try {
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
    } catch { /* not supported (Firefox) */ }
    let last = performance.now();
    setInterval(() => { const now = performance.now(); window.__gaps.push([last, now - last]); last = now; }, 10 /* HEARTBEAT_MS */);
  });
  const shot = async (section) => {
    const file = join(shotDir, `${name}-${section}.png`);
    await page.screenshot({ path: file, fullPage: true });
  };
  try {
    // ---- Train: a run to the end in a Web Worker, same weights as node, statistics and histogram drawn ----
    const query = new URLSearchParams({ section: 'train', ...Object.fromEntries(Object.entries(RUN).map(([k, v]) => [k, String(v)])), autostart: '1' });
    page = await b.goto(`${url}?${query}`);
    // Seen in Firefox ESR under load (about 1 run in 5 at load 15-18): createWorkerTrainer never settles, no error.
    // The consumer matrix's plain webpack page saw the same once ("running ..." for 60 s), so it is not this page's
    // code. Not reproduced in 40 loads in one Firefox nor in 25 fresh Firefox launches at load 8-12 with the library
    // instrumented (worker hello after 80-90 ms, shard worker hello and ready within 30 ms, every time); the client
    // listens for the hello in the task that creates the worker and the worker exposes its API before saying hello,
    // so no message can be lost. Cause unknown: said, retried once.
    page = await waitOrReloadOnce(name, page, {
      what: 'no finished run after 60 s', statusId: 'status',
      wait: () => b.wait(() => ['done', 'error'].includes(document.body.dataset.state ?? '')),
      again: () => b.goto(`${url}?${query}`),
    });
    await b.wait(() => Number(document.body.dataset.statsReady ?? 0) >= 1);
    const shown = await page.evaluate(() => ({ ...document.body.dataset, isolated: crossOriginIsolated, status: document.getElementById('status')?.textContent ?? '' }));
    check(`${name}: the page trains in a Web Worker to the end`, shown.state === 'done' && shown.steps === String(RUN.steps), shown.status);
    check(`${name}: served with COOP/COEP the page is cross-origin isolated and trains on two threads`, shown.isolated === true && shown.threads === '2', `crossOriginIsolated ${shown.isolated}, threads ${shown.threads}`);
    check(`${name}: browser weights (two threads) equal node in-process weights (one thread), bit for bit`, shown.hash === nodeHash, `browser ${shown.hash}, node ${nodeHash}`);
    check(`${name}: browser loss history equals node's`, shown.lossHash === nodeLossHash);
    // The longest main-thread task from the start of the run to its end shown: PerformanceObserver 'longtask'
    // (Chromium; tasks of 50 ms or more); where that entry type does not exist (Firefox), the longest gap of a
    // HEARTBEAT_MS timer beyond its interval (a task blocks the timer for as long as it runs). Both are wall time: on a
    // machine with more runnable threads than cores a 10 ms task can be preempted past 50 ms (Chromium's trace shows
    // tasks of 35-48 ms wall with 2-13 ms of CPU at load 8 on 2 cores), so a run over the bound is repeated, up to 3
    // runs in all: a task of the page's own that is 50 ms long is that long in every run.
    const measureRun = () => page.evaluate((interval) => {
      const [start] = performance.getEntriesByName('persian-rug-train-start');
      const [end] = performance.getEntriesByName('persian-rug-train-end');
      const within = ([t]) => t >= start.startTime && t <= end.startTime;
      const observed = PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false;
      const gaps = window.__gaps.filter(within);
      const worst = gaps.reduce((a, g) => (g[1] > a[1] ? g : a), [start.startTime, interval]);
      const gap = worst[1] - interval;
      const gapAt = worst[0] - start.startTime;
      const longest = Math.max(0, ...window.__longTasks.filter(within).map(([, d]) => d));
      return {
        tasks: window.__longTasks.filter(within).map(([t, d]) => `${d.toFixed(0)} ms at ${(t - start.startTime).toFixed(0)} ms`).join(', '),
        longest: observed ? longest : gap, observed, gap, gapAt, seconds: (end.startTime - start.startTime) / 1000,
      };
    }, HEARTBEAT_MS);
    // A run that trained more than SLOWED times slower than Chromium's run in this test (Firefox here: 1.3-1.9x when
    // it runs normally) ran while the whole browser or the VM was slow: in CI on 2026-12-03 three Firefox runs took
    // 7.3-11.4 s instead of 3-4 s and every main-thread task with them; such a run says nothing of the page's own tasks
    // and is repeated (up to 5 runs). If every run is slowed the check is reported, not counted.
    const SLOWED = 2.5;
    const slowed = (t) => name !== 'chromium' && referenceSeconds !== undefined && t.seconds > SLOWED * referenceSeconds;
    const runs = [await measureRun()];
    while ((runs.at(-1).longest >= 50 || slowed(runs.at(-1))) && runs.length < (runs.every(slowed) ? 5 : 3)) {
      page = await b.goto(`${url}?${query}`);
      await b.wait(() => ['done', 'error'].includes(document.body.dataset.state ?? ''));
      await b.wait(() => Number(document.body.dataset.statsReady ?? 0) >= 1);
      runs.push(await measureRun());
    }
    const judged = runs.filter((t) => !slowed(t));
    const timing = judged.length ? judged.reduce((a, t) => (t.longest < a.longest ? t : a)) : runs.at(-1);
    if (name === 'chromium') referenceSeconds = timing.seconds;
    const describe = (t) => `${t.longest.toFixed(0)} ms over ${t.seconds.toFixed(1)} s${slowed(t) ? ' (slowed)' : ''}${t.tasks ? ` (long tasks ${t.tasks})` : ''}, heartbeat delay ${t.gap.toFixed(0)} ms at ${t.gapAt.toFixed(0)} ms`;
    const detail = `${timing.observed ? 'longtask entries' : `no longtask entries in ${name}: ${HEARTBEAT_MS} ms heartbeat`}; ${runs.map((t, i) => `run ${i + 1}: ${describe(t)}`).join('; ')}${referenceSeconds !== undefined && name !== 'chromium' ? `; Chromium's run ${referenceSeconds.toFixed(1)} s` : ''}; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;
    if (judged.length) check(`${name}: the UI thread stays responsive while training: longest main-thread task < 50 ms`, timing.longest < 50, detail);
    else console.log(`  - ${name}: the UI thread stays responsive while training: NOT JUDGED, every run trained over ${SLOWED}x slower than Chromium's (${detail})`);
    // the finished run: the loss curve and histograms of `persian-rug plot RUN_DIR` (same specs), values on hover
    await b.wait(() => document.body.dataset.runFigures === '2');
    const shownFigures = await page.evaluate(() => [document.getElementById('loss').dataset.figure, document.getElementById('histogram').dataset.figure]);
    // the first pointer on a figure makes it interactive (the same spec in a live vega view), then hover gives values
    await page.evaluate(() => document.getElementById('histogram').scrollIntoView());
    await hoverTooltip(b, '#histogram svg .mark-rect path');
    await b.wait(() => document.getElementById('histogram').dataset.interactive === '1');
    const bar = await hoverTooltip(b, '#histogram svg .mark-rect path');
    // the tooltip's rows are the encoding's titles: x (lo) 'value of the entry', y 'density (1 / unit of x)', x2 'hi'
    const tip = bar && { lo: bar['value of the entry'], hi: bar.hi, density: Object.entries(bar).find(([k]) => k.startsWith('density'))?.[1] };
    const matching = tip && nodeBars.filter((v) => printedEquals(tip.density, v.density) && printedEquals(tip.lo, v.lo) && printedEquals(tip.hi, v.hi));
    check(`${name}: the finished run is drawn from persian-rug/figures' specs (runLossFigure, runHistogramFigure); hovering a bar gives node's values`,
      shownFigures.join(',') === 'run-loss,run-histograms' && matching?.length >= 1,
      `${shownFigures.join(', ')}; tooltip ${JSON.stringify(bar)}; ${matching?.length ?? 0} of node's ${nodeBars.length} bars match`);
    const lossChart = drawn(await b.elementPng('#loss svg'));
    const weightsImage = drawn(await b.elementPng('#weights'));
    const histogram = drawn(await b.elementPng('#histogram svg'));
    check(`${name}: loss chart, W image and histogram are drawn`, drawnOk(lossChart, 8) && drawnOk(weightsImage, 50) && drawnOk(histogram, 8),
      `loss ${show(lossChart)}; W ${show(weightsImage)}; histogram ${show(histogram)}`);
    if (b.download) {
      const download = await b.download('#download');
      const path = await download.path();
      const name0 = download.suggestedFilename();
      const ok = name0 === 'run.json' && lib.decodeRunRecord(readFileSync(path, 'utf8')).lossHistory.length === RUN.steps;
      check(`${name}: Download run saves run.json (as the CLI writes it)`, ok, name0);
    }
    await shot('train');

    // ---- Pause and Resume: the same run, the same weights as the uninterrupted one ----
    page = await b.goto(`${url}?${query}`);
    await b.wait(() => document.body.dataset.state === 'training' && /^step [1-9]/.test(document.getElementById('status').textContent));
    const training = await page.evaluate(() => document.getElementById('status').textContent);
    await page.click('#pause');
    await b.wait(() => ['paused', 'done', 'error'].includes(document.body.dataset.state ?? ''));
    const paused = await page.evaluate(() => ({ state: document.body.dataset.state, steps: document.body.dataset.steps, label: document.getElementById('pause').textContent }));
    if (paused.state === 'paused') await page.click('#pause');
    await b.wait(() => ['done', 'error'].includes(document.body.dataset.state ?? ''));
    const resumed = await page.evaluate(() => ({ ...document.body.dataset }));
    check(`${name}: while training the status shows the step, steps/s, samples/s and the ETA`, /^step \d+ \/ \d+ · loss \S+ · \S+ steps\/s · [\d,]+ samples\/s · ETA /.test(training), training);
    check(`${name}: Pause then Resume continues the same run to the uninterrupted run's weights`,
      paused.state === 'paused' && paused.label === 'Resume' && Number(paused.steps) < RUN.steps && resumed.hash === nodeHash && resumed.steps === String(RUN.steps),
      `paused at step ${paused.steps} (${paused.state}, button "${paused.label}"); resumed to step ${resumed.steps}: ${resumed.hash}, node ${nodeHash}`);

    // ---- the paper's stop rule: epochs of 30,000 samples with steps as the cap, the same run as node's ----
    const ruledUrl = `${url}?${new URLSearchParams({ section: 'train', n: String(LOADED.n), m: String(LOADED.m), p: String(LOADED.p), seed: String(LOADED.seed), steps: String(LOADED.steps), batch: String(LOADED.batch), stoprule: '1', autostart: '1' })}`;
    page = await b.goto(ruledUrl);
    // 2026-12-04, Firefox ESR 153 at load 0.5: "starting a worker for n = 128 ..." for 60 s, the first Train stall again
    page = await waitOrReloadOnce(name, page, {
      what: 'no finished run after 60 s', statusId: 'status',
      wait: () => b.wait(() => ['done', 'error'].includes(document.body.dataset.state ?? '')),
      again: () => b.goto(ruledUrl),
    });
    const ruled = await page.evaluate(() => ({ ...document.body.dataset, checked: document.querySelector('input[name="stoprule"]').checked, status: document.getElementById('status').textContent }));
    check(`${name}: the stop rule option trains in epochs of 30,000 samples (steps the cap): node's run with the same epochs, bit for bit`,
      ruled.checked && ruled.hash === stopRuleRun.hash && ruled.steps === String(stopRuleRun.steps), `page ${ruled.hash} after ${ruled.steps} steps, node ${stopRuleRun.hash} after ${stopRuleRun.steps} (${stopRuleRun.stopReason}); ${ruled.status.slice(0, 60)}`);

    // ---- a run written by `persian-rug train --out` loaded from disk: statistics equal `persian-rug measure`'s ----
    await chooseFiles(page, '#load', { 'run.json': readFileSync(join(runDir, 'run.json')), 'weights.safetensors': readFileSync(join(runDir, 'weights.safetensors')) });
    await b.wait((hash) => document.body.dataset.loaded === hash, loadedHash);
    await b.wait(() => Number(document.body.dataset.statsReady ?? 0) >= 2 && JSON.parse(document.getElementById('stats').dataset.stats ?? '{}').diagonal);
    await b.wait(async () => { await new Promise((r) => setTimeout(r, 300)); return true; });
    const stats = await page.evaluate(() => JSON.parse(document.getElementById('stats').dataset.stats));
    const pairs = [
      ['diag mean', stats.diagonal.mean, measured.diagonal.mean], ['Δ diag', stats.diagonal.variance, measured.diagonal.variance],
      ['b mean', stats.bias.mean, measured.bias.mean], ['Δ b', stats.bias.variance, measured.bias.variance],
      ['v σ² mean', stats.interferenceVariance.mean, measured.interferenceVariance.mean], ['Δ v σ²', stats.interferenceVariance.variance, measured.interferenceVariance.variance],
      ['E ν mean', stats.interferenceMean.mean, measured.interferenceMean.mean], ['Δ E ν', stats.interferenceMean.variance, measured.interferenceMean.variance],
      ['off-diagonal skewness', stats.offDiagonal.skewness, measured.offDiagonal.skewness], ['off-diagonal kurtosis', stats.offDiagonal.excessKurtosis, measured.offDiagonal.excessKurtosis],
      ['ν skewness', stats.interference.skewness, measured.interference.skewness], ['ν kurtosis', stats.interference.excessKurtosis, measured.interference.excessKurtosis],
      ['predicted loss', stats.predictedLoss, measured.loss.predicted], ['mean-field loss', stats.meanFieldLoss, measured.loss.meanField],
    ];
    const off = pairs.filter(([, a, b2]) => !close(a, b2, 1e-9));
    check(`${name}: a loaded run's statistics equal persian-rug measure's (${pairs.length} numbers, 1e-9 relative)`, off.length === 0,
      off.length ? off.map(([k, a, b2]) => `${k}: page ${a}, measure ${b2}`).join('; ') : `Δ diag ${measured.diagonal.variance.toExponential(3)}, ν skewness ${measured.interference.skewness.toFixed(4)}`);

    // ---- a run cut at step 150 of 300 loaded with its checkpoint: Continue gives the weights of `train --resume` ----
    await chooseFiles(page, '#load', Object.fromEntries(['run.json', 'weights.safetensors', 'checkpoint.safetensors'].map((f) => [f, readFileSync(join(cutDir, f))])));
    const cutHash = lib.weightsFingerprint(lib.decodeWeights(new Uint8Array(readFileSync(join(cutDir, 'weights.safetensors')))));
    await b.wait((hash) => document.body.dataset.loaded === hash && /^Loaded with its checkpoint/.test(document.getElementById('load-note')?.textContent ?? '') && document.body.dataset.state === 'done', cutHash);
    const continueLabel = await page.evaluate(() => document.getElementById('train-button').textContent);
    await page.click('#train-button');
    await b.wait(() => document.body.dataset.state === 'training');
    await b.wait(() => ['done', 'error'].includes(document.body.dataset.state ?? ''));
    const continued = await page.evaluate(() => ({ ...document.body.dataset }));
    check(`${name}: a run loaded with its checkpoint continues to the weights of persian-rug train --resume, bit for bit`,
      continued.hash === resumedHash && continued.steps === String(LOADED.steps) && /^Continue the run to step 300$/.test(continueLabel), `"${continueLabel}": page ${continued.hash} at step ${continued.steps}, CLI --resume ${resumedHash}`);
    // without the checkpoint the page says it can only go on with a fresh Adam state
    await chooseFiles(page, '#load', Object.fromEntries(['run.json', 'weights.safetensors'].map((f) => [f, readFileSync(join(cutDir, f))])));
    await b.wait(() => /^Loaded without checkpoint.safetensors: .*fresh Adam state/.test(document.getElementById('load-note')?.textContent ?? ''));
    check(`${name}: a run loaded without its checkpoint says Train continues with a fresh Adam state`, true);

    // ---- Theory: the hovered cell's L* equals node's; a click draws both slices ----
    // Firefox ESR 140: a new tab (see openBrowser); after the trainings above this tab's workers run about 30x slower
    if (name === 'firefox') page = await b.goto(`${url}?section=theory`);
    else await page.click('#tab-theory');
    // once in CI (2026-12-03) Firefox's theory worker ran about 10x slower in a fresh browser (5 of 20 columns in
    // 55 s; about 5 s for all 20 normally): the stall above, said with the busiest threads and retried once
    page = await waitOrReloadOnce(name, page, {
      what: 'L*(p, r) was not computed in 60 s', statusId: 'theory-status',
      wait: () => b.wait(() => document.body.dataset.theoryReady === '1'),
      again: () => b.goto(`${url}?section=theory`),
    });
    await page.evaluate(() => document.querySelector('#heatmap rect.cell[data-row="5"][data-col="3"]').dispatchEvent(new MouseEvent('mousemove', { bubbles: true })));
    const hovered = await page.evaluate(() => ({ ...document.getElementById('theory-hover').dataset }));
    const expected = lib.optimalSymmetricLoss(Number(hovered.p), Number(hovered.r));
    check(`${name}: L* at the hovered cell equals optimalSymmetricLoss in node`, close(Number(hovered.loss), expected.loss) && close(Number(hovered.a), expected.a) && close(Number(hovered.mmse), lib.mmseLoss(Number(hovered.p), Number(hovered.r))),
      `p ${Number(hovered.p).toFixed(4)}, r ${Number(hovered.r).toFixed(4)}: page ${hovered.loss}, node ${expected.loss}`);
    await page.evaluate(() => document.querySelector('#heatmap rect.cell[data-row="5"][data-col="3"]').dispatchEvent(new MouseEvent('click', { bubbles: true })));
    await b.wait((pr) => document.body.dataset.theorySlices === pr, `${hovered.p},${hovered.r}`);
    const heat = drawn(await b.elementPng('#heatmap svg')), vsR = drawn(await b.elementPng('#theory-vs-r svg')), vsP = drawn(await b.elementPng('#theory-vs-p svg'));
    check(`${name}: heat map and both slices are drawn`, drawnOk(heat, 100) && drawnOk(vsR, 8) && drawnOk(vsP, 8), `heat map ${show(heat)}; vs r ${show(vsR)}; vs p ${show(vsP)}`);
    await shot('theory');

    // ---- Rug: Monte-Carlo loss within its standard error of node's; W image; a trained model beside it after zooming ----
    const rugUrl = `${url}?${new URLSearchParams({ section: 'rug', n: String(RUG.n), m: String(RUG.m), p: String(RUG.p), seed: String(RUG.seed), steps: '100' })}`;
    page = await b.goto(rugUrl);
    await b.wait(() => document.body.dataset.rugLoss !== undefined);
    const rug = await page.evaluate(() => ({ loss: Number(document.body.dataset.rugLoss), se: Number(document.body.dataset.rugStdErr), config: document.body.dataset.rugConfig }));
    check(`${name}: the rug's Monte-Carlo loss is within its standard error of node's`, Math.abs(rug.loss - rugNode.loss) <= rug.se,
      `page ${rug.loss.toExponential(5)} ± ${rug.se.toExponential(2)}, node ${rugNode.loss.toExponential(5)} ± ${rugNode.lossStdErr.toExponential(2)} (${rug.config})`);
    await page.click('#rug-train');
    // the same intermittent Firefox stall as above (a training worker that never reports): said, retried once
    page = await waitOrReloadOnce(name, page, {
      what: 'the rug\'s matching model did not train in 60 s', statusId: 'rug-status',
      wait: () => b.wait(() => document.body.dataset.rugTrained !== undefined),
      again: async () => {
        const next = await b.goto(rugUrl);
        await b.wait(() => document.body.dataset.rugLoss !== undefined);
        await next.click('#rug-train');
        return next;
      },
    });
    await page.click('[data-zoom="out"]');
    await b.wait(() => document.body.dataset.rugView === '0,0,128');
    await b.wait(async () => { await new Promise((r) => setTimeout(r, 300)); return true; });
    const rugImage = drawn(await b.elementPng('#rug-image')), trainedImage = drawn(await b.elementPng('#rug-trained'));
    check(`${name}: the rug and the trained model are drawn, zoomed out to 128 x 128`, drawnOk(rugImage, 8) && drawnOk(trainedImage, 50), `rug ${show(rugImage)}; trained ${show(trainedImage)}`);
    await shot('rug');

    // ---- Results: a sweep results file gives the plot figures ----
    await page.click('#tab-results');
    await chooseFiles(page, '#results-file', { 'results.jsonl': readFileSync(resultsFile) });
    await b.wait(() => Number(document.body.dataset.resultsFigures ?? 0) > 0);
    const figures = await page.evaluate(() => [...document.querySelectorAll('#figures figure')].map((f) => f.dataset.name));
    const wanted = ['heatmap-trained-evalLoss', 'heatmap-trained-lossOverTheory', 'heatmap-rug-evalLoss', 'loss-vs-r', 'loss-vs-p'];
    const marks = await page.evaluate(() => document.querySelectorAll('#figures figure[data-name="loss-vs-r"] svg path').length);
    check(`${name}: the results file gives the plot figures (Vega-Lite specs of persian-rug/figures, vega-embed): heat maps, loss against r and p, histograms`,
      wanted.every((w) => figures.includes(w)) && figures.some((f) => f.startsWith('histogram')) && marks > 10, `${figures.length} figures: ${figures.join(', ')}; ${marks} paths in loss-vs-r`);
    const lossVsR = drawn(await b.elementPng('#figures figure[data-name="loss-vs-r"] svg'));
    check(`${name}: the loss-vs-r figure is drawn`, drawnOk(lossVsR, 8), show(lossVsR));
    await page.evaluate(() => document.querySelector('#figures figure[data-name="loss-vs-r"]').scrollIntoView());
    const point = await hoverTooltip(b, '#figures figure[data-name="loss-vs-r"] svg .mark-symbol path', 'middle');
    const sweepRecords = readFileSync(resultsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    // the point's loss is the mean over seeds of the records of its kind, n, p and m
    const groups = new Map();
    for (const r of sweepRecords) {
      const key = `${r.kind}|${r.n}|${r.p}|${r.m}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const kindOf = { 'trained model': 'trained', 'Persian rug': 'rug' };
    const pointGroup = point && [...groups.values()].find((g) => g[0].kind === kindOf[point.model] && `n = ${g[0].n}` === point.size
      && printedEquals(point.r, g[0].effectiveRatio) && printedEquals(point.loss, g.reduce((a, r) => a + r.evalLoss, 0) / g.length));
    check(`${name}: hovering a point of loss-vs-r gives the loss of its records in the results file`, Boolean(pointGroup),
      `tooltip ${JSON.stringify(point)}${pointGroup ? `; ${pointGroup.length} record(s) ${pointGroup[0].kind} n ${pointGroup[0].n} p ${pointGroup[0].p} m ${pointGroup[0].m}: ${pointGroup.map((r) => r.evalLoss).join(', ')}` : ''}`);
    await shot('results');

    // ---- Speed: `persian-rug bench`'s measurement (persian-rug/bench in a worker), tiny mode; the report as the CLI formats it ----
    const measureSpeed = async () => {
      const next = await b.goto(`${url}?section=speed&bench=tiny`);
      await next.click('#speed-run');
      return next;
    };
    page = await measureSpeed();
    // CI, 2026-12-03 (Firefox ESR 153): the tiny measurement (1-3 s normally; it finished in every one of about 30
    // runs here, idle and at load 4) sat at "round 1 of 2" for 180 s. The same intermittent Firefox stall as above.
    page = await waitOrReloadOnce(name, page, {
      what: 'the speed measurement did not finish in 90 s', statusId: 'speed-status',
      wait: () => b.wait(() => document.body.dataset.speed !== undefined || /error/.test(document.getElementById('speed-status')?.textContent ?? ''), undefined, 90_000),
      again: measureSpeed,
    });
    const speed = await page.evaluate(() => ({ ...JSON.parse(document.body.dataset.speed ?? '{}'), status: document.getElementById('speed-status').textContent, cores: navigator.hardwareConcurrency }));
    const benchReport = speed.report;
    const benchRows = benchReport?.shapes?.[0]?.rows ?? [];
    const kinds = benchRows.map((r) => `${r.kind}:${r.threads}`);
    const ratios = benchReport?.shapes?.[0]?.ratios;
    check(`${name}: the speed section runs persian-rug bench's measurement: wasm 1 and 2 threads, TS twins, dense JS, each checked first`,
      ['wasm:1', 'wasm:2', 'twin:1', 'dense:1'].every((k) => kinds.includes(k)) && benchRows.every((r) => r.samplesPerSecond.median > 0)
        && benchReport.shapes.every((s) => s.checks.length >= 3 && s.checks.every((c) => c.passed)) && benchReport.probe.check.passed
        && ratios.vsTwin.median > 0 && ratios.vsDense.median > 0 && ratios.twoThreads?.median > 0,
      benchReport ? `${kinds.join(', ')}; wasm ${ratios.vsTwin.median.toFixed(1)}x the TS twins, ${ratios.vsDense.median.toFixed(1)}x dense JS, 2 threads ${ratios.twoThreads?.median.toFixed(2)}x 1` : speed.status);
    const browserLabel = { chromium: /^Chrome(ium)? \d/, firefox: /^Firefox \d/ }[name];
    check(`${name}: the speed report names the browser and its core count, and reads as persian-rug bench prints it (formatBenchReport in node)`,
      browserLabel.test(String(benchReport?.environment?.browser)) && benchReport.environment.cores === speed.cores
        && JSON.stringify(speed.lines) === JSON.stringify(bench.formatBenchReport(benchReport)) && speed.lines.some((l) => l.startsWith('| tiny')),
      `${benchReport?.environment?.browser}, ${benchReport?.environment?.cores} cores; ${speed.lines?.length} lines`);
    await shot('speed');

    // ---- a static host that cannot set headers: coi-serviceworker isolates the page after one reload ----
    // The service worker reloads the page once it is installed. When that reload comes before the first load has
    // finished, the navigation the harness asked for is superseded by it: Firefox's WebDriver BiDi then rejects
    // browsingContext.navigate with NS_BINDING_ABORTED (CI, 2026-12-03), Playwright with "interrupted by another
    // navigation". That is the page doing what it should; the polling below waits for the reloaded page.
    page = await b.goto(`${plain.url}?${query}`).catch((error) => {
      if (/NS_BINDING_ABORTED|interrupted by another navigation/.test(String(error?.message))) return b.page;
      throw error;
    });
    // the service worker reloads the page once: poll (a wait spanning the reload can lose its page in WebDriver BiDi)
    for (let t = 0; t < 120; t++) {
      const ready = await page.evaluate(() => crossOriginIsolated && ['done', 'error'].includes(document.body.dataset.state ?? '')).catch(() => false);
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const shown2 = await page.evaluate(() => ({ ...document.body.dataset, isolated: crossOriginIsolated }));
    check(`${name}: on a static host without headers the service worker isolates the page: two threads, same weights`, shown2.isolated === true && shown2.threads === '2' && shown2.hash === nodeHash,
      `crossOriginIsolated ${shown2.isolated}, threads ${shown2.threads}, fingerprint ${shown2.hash}`);

    // ---- every section: every control labelled and reached by the Tab key; no horizontal scrolling at 390 and 1440 px ----
    const notReached = [], unlabelled = [], overflows = [];
    for (const section of ['train', 'theory', 'rug', 'results', 'speed']) {
      await page.click(`#tab-${section}`);
      // Tab from the top of the page: a temporary focusable element before everything else is the starting point
      await page.evaluate(() => {
        const start = document.createElement('span');
        start.id = 'tab-start';
        start.tabIndex = 0;
        document.body.prepend(start);
        start.focus();
        window.scrollTo(0, 0);
      });
      const controls = await page.evaluate((section) => [...document.querySelectorAll(`header button, #${section} :is(input, select, button, summary, [tabindex]:not([tabindex="-1"]))`)]
        .filter((e) => !e.disabled && e.getClientRects().length > 0).map((e, i) => {
          const label = e.closest('label')?.textContent?.trim() || e.getAttribute('aria-label') || e.labels?.[0]?.textContent?.trim() || (['BUTTON', 'SUMMARY'].includes(e.tagName) && e.textContent.trim());
          e.dataset.kb = `${section}-${i}`;
          return { key: e.dataset.kb, name: e.id || e.name || e.textContent.trim().slice(0, 20) || e.tagName, label: Boolean(label) };
        }), section);
      unlabelled.push(...controls.filter((c) => !c.label).map((c) => `${section}: ${c.name}`));
      const reached = new Set();
      for (let i = 0; i < controls.length + 30 && reached.size < controls.length; i++) {
        await page.keyboard.press('Tab');
        const key = await page.evaluate(() => document.activeElement?.dataset?.kb ?? null);
        if (key) reached.add(key);
      }
      notReached.push(...controls.filter((c) => !reached.has(c.key)).map((c) => `${section}: ${c.name}`));
      await page.evaluate(() => document.getElementById('tab-start')?.remove());
      for (const [width, height] of [[390, 900], [1440, 1000]]) {
        await b.viewport(width, height);
        const sw = await page.evaluate(() => document.documentElement.scrollWidth);
        if (sw > width + 1) overflows.push(`${section} at ${width} px: scrollWidth ${sw}`);
        if (width === 390) await shot(`${section}-390px`);
      }
    }
    check(`${name}: every control of every section has a label`, unlabelled.length === 0, unlabelled.join(', '));
    check(`${name}: every control of every section is reached with the Tab key`, notReached.length === 0, notReached.join(', '));
    check(`${name}: every section fits 390 px and 1440 px (no horizontal scrolling)`, overflows.length === 0, overflows.join('; '));
    check(`${name}: no errors or warnings in the page console`, problems.length === 0, problems.join(' | '));

    // ---- not isolated (no headers, no service worker): one thread, node's weights, and the library says why, once ----
    notes.length = 0;
    const before = problems.length;
    page = await b.goto(`${bare.url}?${query}`);
    await b.wait(() => ['done', 'error'].includes(document.body.dataset.state ?? ''));
    const shown3 = await page.evaluate(() => ({ ...document.body.dataset, isolated: crossOriginIsolated }));
    check(`${name}: a page that is not isolated trains on one thread, same weights, and says so in one console line`,
      shown3.isolated === false && shown3.threads === '1' && shown3.hash === nodeHash && notes.length === 1 && /one thread.*not cross-origin isolated/.test(notes[0]),
      `crossOriginIsolated ${shown3.isolated}, threads ${shown3.threads}, fingerprint ${shown3.hash}, console: ${JSON.stringify(notes)}`);
    // the one expected problem there: the service worker script this host does not serve (404)
    const extra = problems.splice(before).filter((p) => !/status of 404/.test(p));
    check(`${name}: no other console errors or warnings on the page that is not isolated`, extra.length === 0, extra.join(' | '));

  } catch (error) {
    check(`${name}: browser test harness`, false, String(error?.stack ?? error));
    await shot('failure').catch(() => undefined);
  } finally {
    await b.close();
  }
}

try {
  // BROWSER=chromium (or firefox) runs one of them
  for (const name of Object.keys(BROWSERS)) if (existsSync(BROWSERS[name]) && (!process.env.BROWSER || process.env.BROWSER === name)) await testBrowser(name);
} finally {
  await new Promise((resolve) => server.httpServer.close(resolve));
  await plain.close();
  await bare.close();
  rmSync(fixtures, { recursive: true, force: true });
}
finish();
