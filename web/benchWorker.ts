// The speed section's worker: runs `persian-rug bench`'s measurement (runBenchmark of persian-rug/bench) off the main
// thread and posts its progress lines, then the report and its text (formatBenchReport) or the failed check.
import { BenchCheckError, formatBenchReport, runBenchmark, type BenchMode, type BenchReport } from 'persian-rug/bench';

export interface BenchRequest {
  mode: BenchMode;
  /** The kernels compiled once by the page (no second download or compile). */
  wasm: WebAssembly.Module;
  environment: Record<string, string | number>;
}

export type BenchMessage =
  | { type: 'progress'; message: string }
  | { type: 'report'; report: BenchReport; lines: string[] }
  | { type: 'error'; message: string; check: boolean };

const post = (message: BenchMessage): void => (self as unknown as Worker).postMessage(message);

self.addEventListener('message', (event: MessageEvent<BenchRequest>) => {
  const { mode, wasm, environment } = event.data;
  runBenchmark({ mode, wasm, environment, onProgress: (message) => post({ type: 'progress', message }) }).then(
    (report) => post({ type: 'report', report, lines: formatBenchReport(report) }),
    (error: unknown) => post({ type: 'error', message: (error as Error).message ?? String(error), check: error instanceof BenchCheckError }),
  );
});
