// The public hardwareConcurrency(): the host's logical cores (a plain function, so the package's types need no `#host`).
import { host } from '#host';

/** Logical cores available: node os.availableParallelism(), browsers navigator.hardwareConcurrency. */
export function hardwareConcurrency(): Promise<number> {
  return host.availableCores();
}
