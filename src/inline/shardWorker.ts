// dist/train/shardWorker.js bundled into one self-contained module, as base64: the shard worker started from a blob:
// URL where the bundler did not emit the worker file. A stub here; `npm run build` (scripts/inline.mjs) fills it.
const code = '';
export default code;
