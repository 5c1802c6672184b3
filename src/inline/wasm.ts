// The wasm builds as base64, for bundlers that do not emit build/*.wasm (esbuild, Rollup without an assets plugin)
// and CDNs. A stub here; `npm run build` (scripts/inline.mjs) writes the real dist/inline/wasm.js.
export const release = '';
export const threads = '';
