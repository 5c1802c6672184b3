// The JSON Lines results file on disk: whole-line appends, reading with a tolerated partial last line, resume.
import { appendFile, open, readFile, stat, truncate } from 'node:fs/promises';
import { formatRecord, parseResults, type ParsedResults, type SweepRecord } from './record.js';

export async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Reads and parses a results file (see parseResults). */
export async function readResults(path: string): Promise<ParsedResults> {
  return parseResults(await readFile(path, 'utf8'));
}

/**
 * Cuts a final partial line (a run killed mid-write) off the file, so that appends start on a line of their own.
 * Returns the bytes removed (0 when the file ends with '\n' or is empty).
 */
export async function truncatePartialLine(path: string): Promise<number> {
  const bytes = await readFile(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end === bytes.length) return 0;
  await truncate(path, end);
  return bytes.length - end;
}

/**
 * Appends records one complete line at a time: each line is built in memory and written by one appendFile call
 * (O_APPEND), and calls are chained so that concurrent cells never interleave.
 */
export class ResultsWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Creates the file if missing (so an empty sweep still leaves a file) without touching existing content. */
  async touch(): Promise<void> {
    const handle = await open(this.path, 'a');
    await handle.close();
  }

  append(record: SweepRecord): Promise<void> {
    const line = formatRecord(record);
    this.chain = this.chain.then(() => appendFile(this.path, line));
    return this.chain;
  }
}
