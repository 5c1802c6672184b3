// Output flags of every command, checked before any work: --force, and the path checks of src/io/outputPath.ts as
// ConfigErrors (one line naming the flag and the path, exit 2, nothing run).
import { basename } from 'node:path';
import type { FieldSpec } from '../config/schema.js';
import { ConfigError } from '../config/schema.js';
import { checkOutputPath, OutputPathError, removeStaleTemps, type CheckedOutput, type OutputCheck } from '../io/outputPath.js';
import { RUN_RECORD_FILE, WEIGHTS_FILE } from '../io/runRecord.js';
import { CHECKPOINT_FILE } from '../io/checkpoint.js';

/** --force: the one switch that lets a command replace existing work. */
export const FORCE_FIELD: FieldSpec = { key: 'force', flag: 'force', kind: 'boolean', help: 'replace what already exists at the output path (without it, existing work is never overwritten)' };

/** The files of a run folder (persian-rug train --out DIR). */
export const RUN_FILES: readonly string[] = [RUN_RECORD_FILE, WEIGHTS_FILE, CHECKPOINT_FILE];

/** checkOutputPath, its problems as ConfigError; also removes temp files that earlier, killed writes left there. */
export async function checkOutput(check: OutputCheck): Promise<CheckedOutput> {
  if (check.kind === 'file' && RUN_FILES.includes(basename(check.path))) {
    throw new ConfigError(`${check.flag} ${check.path}: is the name of a run file of persian-rug train; choose another name (a run folder is one unit)`);
  }
  let checked: CheckedOutput;
  try {
    checked = await checkOutputPath(check);
  } catch (error) {
    if (error instanceof OutputPathError) throw new ConfigError(error.message);
    throw error;
  }
  if (check.kind === 'file') await removeStaleTemps(check.path);
  return checked;
}
