// dist/worker/worker.js bundled into one self-contained module (with the inline shard worker and wasm), as base64:
// the Trainer worker started from a blob: URL where the bundler did not emit the worker file. A stub here;
// `npm run build` (scripts/inline.mjs) fills it.
const code = '';
export default code;
