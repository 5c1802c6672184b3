// The benchmark report as text: one markdown table per run (rows per shape), ratios of this run, host-free.
import type { BenchReport, BenchRow, BenchShapeResult, RateSummary } from './measure.js';

const rate = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(1));
const times = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${v >= 10 ? v.toFixed(0) : v.toFixed(2)}x`);
const summary = (s: RateSummary): string => `${rate(s.median)} / ${rate(s.best)}`;
const percent = (v: number): string => `${(100 * v).toFixed(v < 0.1 ? 1 : 0)}%`;

/** Markdown lines: environment, probe, one table of every shape's rows, the ratios, the checks. */
export function formatBenchReport(report: BenchReport): string[] {
  const env = Object.entries(report.environment).map(([k, v]) => `${k} ${v}`).join('; ');
  const lines = [
    `${env}${env ? '; ' : ''}${report.date.slice(0, 10)}; mode ${report.mode}, ${report.repeats} interleaved rounds`,
    `decoder GEMM (batch 512 x n 512 x m 128, fused epilogue): ${report.probe.gemmGflops.toFixed(1)} GFLOP/s = ${percent(report.probe.gemmFractionOfPeak)} of the f32x4 mul+add peak probe (${report.probe.peakGflops.toFixed(1)} GFLOP/s, one thread)`,
    'samples/s as median / best of the rounds; bound: the decoder GEMM alone (2 B n m flops a step) at the peak probe on the row\'s threads',
    '',
    '| shape | implementation | steps | batch | samples/s (median / best) | vs fastest peer | bound | of bound |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const result of report.shapes) lines.push(...shapeRows(result));
  lines.push('');
  for (const result of report.shapes) {
    const r = result.ratios;
    const parts = [
      ...(r.vsPeer ?? []).map((v) => `wasm ${v.threads} thread${v.threads > 1 ? 's' : ''} ${times(v.median)} the fastest peer (best ${times(v.best)}${v.early !== undefined ? `; early ${times(v.early)}, late ${times(v.late)}` : ''})`),
      ...(r.twoThreads ? [`2 threads ${times(r.twoThreads.median)} of 1 (best ${times(r.twoThreads.best)})`] : []),
      `wasm 1 thread ${times(r.vsTwin.median)} its TS twins and ${times(r.vsDense.median)} the dense JS trainer (same steps from the init)`,
    ];
    lines.push(`${result.shape.name}: ${parts.join('; ')}  `);
  }
  const checks = [report.probe.check, ...report.shapes.flatMap((s) => s.checks.map((c) => ({ ...c, name: `${s.shape.name}: ${c.name}` })))];
  lines.push(`checked before timing: ${checks.map((c) => `${c.name} (${c.passed ? 'ok' : 'FAILED'})`).join(', ')}`);
  return lines;
}

function shapeRows(result: BenchShapeResult): string[] {
  const s = result.shape;
  const label = `${s.name} (n ${s.nFeatures}, m ${s.nHidden}, p ${s.featureProbability})`;
  const peers = result.rows.filter((r) => r.kind === 'peer');
  const peer = peers.length ? Math.max(...peers.map((r) => r.samplesPerSecond.median)) : 0;
  const vs = (v: number): string => (peer > 0 ? times(v / peer) : 'n/a');
  const out: string[] = [];
  const line = (row: BenchRow, name: string, steps: [number, number], sps: RateSummary): void => {
    out.push(`| ${out.length ? '' : label} | ${name} | ${steps[0]}-${steps[1]} | ${row.batch} | ${summary(sps)} | ${vs(sps.median)} | ${rate(row.boundSamplesPerSecond)} | ${percent(sps.median / row.boundSamplesPerSecond)} |`);
  };
  for (const row of result.rows) {
    line(row, row.version ? `${row.implementation} (${row.version})` : row.implementation, row.steps, row.samplesPerSecond);
    for (const w of row.windows ?? []) line(row, `${row.implementation}, steps ${w.steps[0]}-${w.steps[1]}`, w.steps, w.samplesPerSecond);
  }
  return out;
}
