// Checkpoint files on disk: checkpointBytes.ts's bytes, written atomically, and their readers.
import type { TrainCheckpoint } from '../api.js';
import { readNamedFile, writeFileAtomic } from './runRecord.js';
import { decodeCheckpointFile, encodeCheckpoint } from './checkpointBytes.js';

export { CHECKPOINT_FILE, decodeCheckpoint, decodeCheckpointFile, encodeCheckpoint } from './checkpointBytes.js';

export async function writeCheckpoint(path: string, c: TrainCheckpoint, runId?: string): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(c, runId));
}

export async function readCheckpoint(path: string): Promise<TrainCheckpoint> {
  return (await readCheckpointFile(path)).checkpoint;
}

export async function readCheckpointFile(path: string): Promise<{ checkpoint: TrainCheckpoint; runId: string | undefined }> {
  return decodeCheckpointFile(await readNamedFile(path, 'the checkpoint'), path);
}
