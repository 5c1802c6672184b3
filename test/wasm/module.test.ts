// The escape hatch: each wasm build may come from the caller as a compiled module, bytes, a URL or a path; a file
// that cannot be loaded is named in the error with the option that supplies it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/train/trainer.js';
import { weightsFingerprint } from '../../src/worker/fingerprint.js';

const file = (build: string) => new URL(`../../build/${build}.wasm`, import.meta.url);
const job = { nFeatures: 64, nHidden: 16, featureProbability: 0.1, steps: 20, batch: 128, evalSamples: 256, seed: 3 };

async function fingerprint(options: Parameters<typeof createTrainer>[1], threads = 0) {
  const trainer = await createTrainer({ ...job, threads }, options);
  const result = await trainer.run();
  const hash = weightsFingerprint(await trainer.weights());
  trainer.dispose();
  return { hash, threads: result.threads };
}

describe('wasm builds from the caller', () => {
  it('a module, bytes, a URL, a URL string or a file path give the same run as the package files (1 and 2 threads)', async () => {
    const expected = await fingerprint({}, 1);
    expect((await fingerprint({})).hash).toBe(expected.hash);
    const bytes = (build: string) => new Uint8Array(readFileSync(file(build)));
    const sources = [
      { wasm: await WebAssembly.compile(bytes('release')), threadsWasm: await WebAssembly.compile(bytes('threads')) },
      { wasm: bytes('release'), threadsWasm: bytes('threads') },
      { wasm: file('release'), threadsWasm: file('threads') },
      { wasm: file('release').href, threadsWasm: file('threads').href },
      { wasm: fileURLToPath(file('release')), threadsWasm: fileURLToPath(file('threads')) },
    ];
    for (const options of sources) {
      expect(await fingerprint(options, 1)).toEqual(expected);
      expect(await fingerprint(options, 2)).toEqual({ hash: expected.hash, threads: 2 });
    }
  });

  it('a missing file is named, with the option that supplies the build', async () => {
    await expect(createTrainer({ ...job, threads: 1 }, { wasm: '/nonexistent/release.wasm' }))
      .rejects.toThrow(/cannot load the wasm kernels \(release build.*\/nonexistent\/release\.wasm is missing.*`wasm` option/);
    await expect(createTrainer({ ...job, threads: 2 }, { threadsWasm: new URL('file:///nonexistent/threads.wasm') }))
      .rejects.toThrow(/threads build.*`threadsWasm` option/);
    await expect(createTrainer({ ...job, threads: 1 }, { wasm: fileURLToPath(new URL('../../package.json', import.meta.url)) }))
      .rejects.toThrow(/package\.json: it is not a wasm file/);
  });
});
