// The JSON Lines results file on disk: whole-line appends, reading with a tolerated partial last line, resume.
import { appendFile, open, readFile, stat, truncate } from 'node:fs/promises';
import { formatRecord, parseResults, RECORD_FORMAT, RECORD_OPENER, type ParsedResults, type SweepRecord } from './record.js';
import { ConfigError } from '../config/schema.js';
import { FileWriteError, readNamedFile } from '../io/runRecord.js';

export async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}


/** True when `partial` (text after the last newline) can be a record cut off mid-write. */
function isCutOffRecord(partial: string): boolean {
  return RECORD_OPENER.startsWith(partial) || partial.startsWith(RECORD_OPENER);
}

/**
 * Reads a results file for merge, plot and sweep --resume. A cut-off last line (a run killed mid-write) is
 * tolerated and returned in partialLine, torn lines (see parseResults) in torn; anything else that is wrong throws ConfigError naming the file and what
 * is wrong: unreadable (missing, a directory), not UTF-8 text, a complete line that is not a record, or a last
 * line that is not the start of a record. Nothing is half-read: the caller gets every record or an error.
 */
export async function loadResults(path: string): Promise<ParsedResults> {
  const bytes = await readNamedFile(path, 'the results file', (message) => new ConfigError(message));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(`${path}: not UTF-8 text; not a results file (JSON Lines written by persian-rug sweep)`);
  }
  const parsed = parseResults(text);
  if (parsed.badLines.length) {
    const first = parsed.badLines[0];
    const more = parsed.badLines.length > 1 ? ` (and ${parsed.badLines.length - 1} more line(s))` : '';
    throw new ConfigError(`${path}: line ${first.line} is not a ${RECORD_FORMAT} record (${first.error.replace(/\s+/g, ' ').slice(0, 120)})${more}; the file is corrupted: remove or repair the line`);
  }
  if (parsed.partialLine !== '' && !isCutOffRecord(parsed.partialLine)) {
    throw new ConfigError(`${path}: the last line (${parsed.partialLine.length} characters, no newline) is not the start of a ${RECORD_FORMAT} record; not a results file, or corrupted`);
  }
  return parsed;
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

  /** Appends one line; a failed write (ENOSPC) rejects with a FileWriteError naming the file, and so do later appends. */
  append(record: SweepRecord): Promise<void> {
    const line = formatRecord(record);
    this.chain = this.chain.then(() => appendFile(this.path, line).catch((error: NodeJS.ErrnoException) => {
      throw new FileWriteError(this.path, error.code ?? error.message);
    }));
    return this.chain;
  }
}
