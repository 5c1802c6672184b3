// What a command may touch: output lines and whether stderr is a terminal. Only src/cli/main.ts binds it to process.

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Rewrites the current stderr line (a terminal progress line); absent when stderr is not a terminal. */
  stderrStatus?: (line: string) => void;
}

/** Exit codes: 0 success, 1 failure while running, 2 bad usage or input (nothing was written). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
