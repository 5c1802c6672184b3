// What a command may touch: output lines and whether stderr is a terminal. Only src/cli/main.ts binds it to process.
import { readFileSync } from 'node:fs';

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Rewrites the current stderr line (a terminal progress line); absent when stderr is not a terminal. */
  stderrStatus?: (line: string) => void;
}

/** Exit codes: 0 success, 1 failure while running, 2 bad usage or input (nothing was written). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The installed package's version (package.json two levels above src/cli and dist/cli). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
