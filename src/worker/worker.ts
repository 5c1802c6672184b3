// Worker entry (node worker_threads or browser module Worker): exposes WorkerApi over comlink.
import { expose, proxy, releaseProxy, transfer, type Remote } from 'comlink';
import type { Trainer, TrainCheckpoint, TrainConfig, TrainProgress } from '../api.js';
import { createTrainer } from '../train/trainer.js';
import { host } from '#host';
import { WORKER_HELLO } from '../host/types.js';
import { PROTOCOL_VERSION, type RemoteTrainer, type RemoteTrainerOptions, type WorkerApi } from './protocol.js';

/** The distinct buffers of a checkpoint's arrays (fresh copies: the trainer keeps none of them). */
function checkpointBuffers(c: TrainCheckpoint): ArrayBufferLike[] {
  const arrays = [c.weights.win, c.weights.wout, c.weights.bias, c.adam.win.moment, c.adam.win.velocity, c.adam.wout.moment, c.adam.wout.velocity, c.adam.bias.moment, c.adam.bias.velocity];
  return [...new Set(arrays.map((a) => a.buffer))];
}

class WorkerSideTrainer implements RemoteTrainer {
  private stopRequested = false;

  constructor(private readonly trainer: Trainer) {}

  get config() {
    return this.trainer.config;
  }

  async run(
    onProgress: Remote<(progress: TrainProgress) => void> | undefined, progressEverySteps: number | undefined,
    onCheckpoint?: Remote<(checkpoint: TrainCheckpoint) => void | Promise<void>>, checkpointEverySteps?: number,
  ) {
    this.stopRequested = false;
    try {
      return await this.trainer.run({
        progressEverySteps,
        // Fire and forget: the step loop never waits for the client thread.
        onProgress: onProgress && ((progress) => { onProgress(progress).catch(() => undefined); }),
        shouldStop: () => this.stopRequested,
        // Awaited, as in-process: the run continues once the client has the checkpoint (buffers transferred).
        onCheckpoint: onCheckpoint && (async (c) => { await onCheckpoint(transfer(c, checkpointBuffers(c))); }),
        checkpointEverySteps,
      });
    } finally {
      onProgress?.[releaseProxy]();
      onCheckpoint?.[releaseProxy]();
    }
  }

  cancel(): void {
    this.stopRequested = true;
  }

  async evaluate(samples?: number) {
    const result = await this.trainer.evaluate(samples);
    return transfer(result, [result.perFeatureLoss.buffer]);
  }

  async weights() {
    const w = await this.trainer.weights();
    return transfer(w, [...new Set([w.win.buffer, w.wout.buffer, w.bias.buffer])]);
  }

  async checkpoint() {
    const c = await this.trainer.checkpoint();
    return transfer(c, checkpointBuffers(c));
  }

  dispose(): void {
    this.trainer.dispose();
  }
}

const api: WorkerApi = {
  version: PROTOCOL_VERSION,
  async createTrainer(config: Partial<TrainConfig>, options: RemoteTrainerOptions) {
    return proxy(new WorkerSideTrainer(await createTrainer(config, options)));
  },
};

const parent = host.parentEndpoint();
expose(api, parent);
parent.postMessage(WORKER_HELLO);
