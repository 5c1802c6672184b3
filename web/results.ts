// Results: a `persian-rug sweep` results file (JSON Lines) dropped or chosen here gives the figures of `persian-rug
// plot`: heat maps over (p, r) per n, loss against r and against p with the rug, L* and linear lines, histograms;
// each exportable as SVG or PNG.
import { heatMap, histogramChart, lineChart, svgToPng, type Series } from './charts.js';
import { $, download, fmt } from './format.js';
import { compute } from './shared.js';

/** The fields of a sweep record the figures read (src/sweep/record.ts, format persian-rug/sweep/1). */
interface SweepRecord {
  format: string;
  kind: 'trained' | 'rug' | 'theory' | 'linear';
  n: number;
  m: number;
  ratio: number;
  effectiveRatio: number;
  p: number;
  seed: number;
  evalLoss: number;
  theoryLoss: number;
  statistics?: Record<string, number | null>;
  histograms?: { diagonal: Histogram; offDiagonal: Histogram };
}
interface Histogram { lo: number; hi: number; counts: number[]; total: number }

const FORMAT = 'persian-rug/sweep/1';
/** docs/theory.md §6.2: the paper's loss comparisons use these p and r (nearest grid values are drawn). */
const PAPER_P = [0.001, 0.01, 0.05, 0.1, 0.4, 0.6];
const PAPER_R = [0.01, 0.1, 0.3, 0.5, 0.8];
const HEATMAP_STATISTICS: [string, string][] = [
  ['diagonalDelta', 'Δ diag W'], ['biasDelta', 'Δ b'], ['interferenceVarianceDelta', 'Δ var(ν)'], ['interferenceMeanDelta', 'Δ mean(ν)'],
  ['ksPValueMedian', 'median KS p-value of ν'], ['lyapunovMax', 'max Λ'],
];
const PALETTE = ['#1f5fbf', '#d1495b', '#2a9d5c', '#8e44ad', '#e07000', '#00798c', '#6d6875'];

const distinct = (values: Iterable<number>) => [...new Set(values)].sort((a, b) => a - b);
const mean = (values: (number | null | undefined)[]) => {
  const ok = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
};
const nearest = (values: number[], target: number) => values.reduce((best, v) => (Math.abs(Math.log(v / target)) < Math.abs(Math.log(best / target)) ? v : best), values[0]);

export function parseRecords(text: string): { records: SweepRecord[]; bad: number[] } {
  const records: SweepRecord[] = [];
  const bad: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    try {
      // non-finite numbers are written as "NaN" / "Infinity" / "-Infinity" (the package's JSON encoding)
      const r = JSON.parse(line, (_key, value) => (value === 'NaN' ? NaN : value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : value)) as SweepRecord;
      if (r?.format !== FORMAT || !Number.isFinite(r.n) || !Number.isFinite(r.p) || typeof r.evalLoss !== 'number') throw new Error('not a record');
      records.push(r);
    } catch {
      bad.push(index + 1);
    }
  });
  return { records, bad };
}

/** Panels side by side under a title, as one SVG (one file to export). */
function combine(title: string, panels: { svg: string; width: number; height: number }[], caption: string): string {
  const gap = 12, top = 28, bottom = 22;
  const width = panels.reduce((w, p) => w + p.width + gap, gap);
  const height = top + Math.max(...panels.map((p) => p.height)) + bottom;
  let x = gap;
  const inner = panels.map((p) => { const s = p.svg.replace('<svg ', `<svg x="${x}" y="${top}" `); x += p.width + gap; return s; });
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif"><rect width="${width}" height="${height}" fill="#fff"/>`
    + `<text x="${gap}" y="19" font-size="15" font-weight="600">${esc(title)}</text>${inner.join('')}<text x="${gap}" y="${height - 6}" font-size="11" fill="#555">${esc(caption)}</text></svg>`;
}

function heatmapFigure(records: SweepRecord[], kind: string, label: string, value: (r: SweepRecord) => number | null | undefined, caption: string): string | null {
  const mine = records.filter((r) => r.kind === kind);
  const ns = distinct(mine.map((r) => r.n));
  const maps = ns.map((n) => {
    const atN = mine.filter((r) => r.n === n);
    const xs = distinct(atN.map((r) => r.p)), ys = distinct(atN.map((r) => r.ratio));
    return { n, xs, ys, values: ys.map((ratio) => xs.map((p) => mean(atN.filter((r) => r.p === p && r.ratio === ratio).map(value)))) };
  });
  const all = maps.flatMap((m) => m.values.flat()).filter((v): v is number => v !== null);
  if (all.length === 0) return null;
  const lo = Math.min(...all), hi = Math.max(...all);
  const log = lo > 0 && hi / lo > 20;
  const panels = maps.map((m) => ({
    svg: heatMap({ title: `n = ${m.n}`, xLabel: 'p', yLabel: 'r = m / n', xs: m.xs, ys: m.ys, values: m.values, log, domain: [lo, hi], colorLabel: label, width: 340, height: 320 }),
    width: 340, height: 320,
  }));
  return combine(`${kind}: ${label}, one panel per n, shared colour scale`, panels, caption);
}

async function lossFigure(records: SweepRecord[], along: 'ratio' | 'p', caption: string): Promise<string | null> {
  const models = records.filter((r) => r.kind === 'trained' || r.kind === 'rug');
  const fixedValues = distinct(records.map((r) => (along === 'ratio' ? r.p : r.ratio)));
  if (fixedValues.length === 0) return null;
  const chosen = distinct((along === 'ratio' ? PAPER_P : PAPER_R).map((v) => nearest(fixedValues, v)));
  const ns = distinct(models.map((r) => r.n));
  const worker = compute('theory');
  const panels = [];
  for (const fixed of chosen) {
    const atFixed = records.filter((r) => (along === 'ratio' ? r.p : r.ratio) === fixed);
    const xs = atFixed.map((r) => (along === 'ratio' ? r.effectiveRatio : r.p)).filter((v) => v > 0);
    if (xs.length === 0) continue;
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const curveX = hi > lo ? Array.from({ length: 30 }, (_, k) => lo * (hi / lo) ** (k / 29)) : [lo];
    const theory = along === 'ratio' ? await worker.theoryRow(fixed, curveX) : await worker.theoryColumn(curveX, fixed);
    const series: Series[] = [];
    for (const kind of ['trained', 'rug'] as const) {
      for (const n of ns) {
        const mine = atFixed.filter((r) => r.kind === kind && r.n === n);
        if (!mine.length) continue;
        const points = distinct(mine.map((r) => (along === 'ratio' ? r.ratio : r.p))).map((v) => {
          const group = mine.filter((r) => (along === 'ratio' ? r.ratio : r.p) === v);
          return [along === 'ratio' ? mean(group.map((r) => r.effectiveRatio))! : v, mean(group.map((r) => r.evalLoss)) ?? NaN] as const;
        });
        series.push({ label: `${kind} n = ${n}`, color: PALETTE[ns.indexOf(n) % PALETTE.length], points, markers: true, dash: kind === 'rug' ? '5 3' : undefined });
      }
    }
    series.push({ label: 'L*', color: '#000', points: theory.map((t) => [along === 'ratio' ? t.r : t.p, t.loss] as const) });
    series.push({ label: 'linear', color: '#888', dash: '8 4', points: theory.map((t) => [along === 'ratio' ? t.r : t.p, t.linear] as const) });
    panels.push({
      svg: lineChart({ title: `${along === 'ratio' ? 'p' : 'r'} = ${fmt(fixed, 3)}`, xLabel: along === 'ratio' ? 'r = m / n' : 'p', yLabel: 'loss (MSE per feature)', xLog: true, yLog: true, series, width: 420, height: 340 }),
      width: 420, height: 340,
    });
  }
  if (!panels.length) return null;
  return combine(along === 'ratio' ? `loss against r at the paper's p (nearest grid values ${chosen.map((v) => fmt(v, 3)).join(', ')})` : `loss against p at the paper's r (nearest grid values ${chosen.map((v) => fmt(v, 3)).join(', ')})`, panels, caption);
}

function histogramFigure(records: SweepRecord[], caption: string): string | null {
  const withHistograms = records.filter((r) => r.kind === 'trained' && r.histograms?.offDiagonal);
  if (!withHistograms.length) return null;
  const picks = [...new Map(withHistograms.map((r) => [`${r.n}`, r])).values()].slice(0, 4);
  const panels = picks.map((r) => {
    const h = r.histograms!.offDiagonal;
    const width = (h.hi - h.lo) / h.counts.length;
    let m1 = 0, m2 = 0, total = 0;
    h.counts.forEach((c, k) => { const x = h.lo + (k + 0.5) * width; m1 += c * x; m2 += c * x * x; total += c; });
    const mu = m1 / Math.max(1, total), sd = Math.sqrt(Math.max(0, m2 / Math.max(1, total) - mu * mu));
    const skew = r.statistics?.offDiagonalSkewness;
    return {
      svg: histogramChart({ title: `n ${r.n}, m ${r.m}, p ${fmt(r.p, 3)}${skew != null ? `, skewness ${fmt(skew, 3)}` : ''}`, xLabel: 'off-diagonal W_ij', lo: h.lo, hi: h.hi, counts: h.counts, gaussian: { mean: mu, sd }, width: 380, height: 300 }),
      width: 380, height: 300,
    };
  });
  return combine('trained models: off-diagonal entries of W against a Gaussian of the same mean and variance', panels, caption);
}

function addFigure(name: string, svg: string): void {
  const box = document.createElement('figure');
  box.className = 'result-figure';
  box.dataset.name = name;
  box.innerHTML = `<div class="chart" role="img" aria-label="${name}">${svg}</div>`;
  const tools = document.createElement('div');
  tools.className = 'figure-tools';
  const svgButton = document.createElement('button');
  svgButton.type = 'button'; svgButton.textContent = 'SVG'; svgButton.setAttribute('aria-label', `download ${name} as SVG`);
  svgButton.addEventListener('click', () => download(`${name}.svg`, svg, 'image/svg+xml'));
  const pngButton = document.createElement('button');
  pngButton.type = 'button'; pngButton.textContent = 'PNG'; pngButton.setAttribute('aria-label', `download ${name} as PNG (2x)`);
  pngButton.addEventListener('click', () => { svgToPng(svg).then((blob) => download(`${name}.png`, blob, 'image/png'), (e: unknown) => console.error(e)); });
  tools.append(svgButton, pngButton);
  box.append(tools);
  $('figures').append(box);
}

async function show(text: string, name: string): Promise<void> {
  const { records, bad } = parseRecords(text);
  const status = $('results-status');
  $('figures').innerHTML = '';
  if (!records.length) { status.textContent = `${name}: no ${FORMAT} records${bad.length ? ` (${bad.length} lines are not records)` : ''}`; return; }
  const kinds = [...new Set(records.map((r) => r.kind))];
  const ns = distinct(records.map((r) => r.n));
  const caption = `${name}: ${records.length} records (${kinds.join(', ')}), n = ${ns.join(', ')}, seeds ${distinct(records.map((r) => r.seed)).join(', ')}`;
  status.textContent = `${caption}${bad.length ? `; skipped ${bad.length} lines that are not records (line ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''})` : ''}; drawing ...`;
  const figures: [string, string | null][] = [];
  for (const kind of ['trained', 'rug'] as const) {
    figures.push([`heatmap-${kind}-evalLoss`, heatmapFigure(records, kind, 'loss', (r) => r.evalLoss, caption)]);
    figures.push([`heatmap-${kind}-lossOverTheory`, heatmapFigure(records, kind, 'loss / L*(p, r)', (r) => r.evalLoss / r.theoryLoss, caption)]);
  }
  for (const [field, label] of HEATMAP_STATISTICS) figures.push([`heatmap-trained-${field}`, heatmapFigure(records, 'trained', label, (r) => r.statistics?.[field], caption)]);
  for (const [name2, svg] of figures) if (svg) addFigure(name2, svg);
  for (const along of ['ratio', 'p'] as const) {
    const svg = await lossFigure(records, along, caption);
    if (svg) addFigure(along === 'ratio' ? 'loss-vs-r' : 'loss-vs-p', svg);
  }
  const histograms = histogramFigure(records, caption);
  if (histograms) addFigure('histograms', histograms);
  const count = $('figures').children.length;
  status.textContent = `${caption}: ${count} figures${bad.length ? `; skipped ${bad.length} lines that are not records` : ''}`;
  document.body.dataset.resultsFigures = String(count);
}

const fail = (error: unknown) => { $('results-status').textContent = `error: ${(error as Error).message ?? String(error)}`; console.error(error); };

export function setupResults(): void {
  const zone = $('dropzone');
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) file.text().then((text) => show(text, file.name)).catch(fail);
  });
  $<HTMLInputElement>('results-file').addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) file.text().then((text) => show(text, file.name)).catch(fail);
  });
}
