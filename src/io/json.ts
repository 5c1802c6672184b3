// JSON as every file we write holds it: a number JSON cannot hold (NaN, +-Infinity) is the string "NaN",
// "Infinity" or "-Infinity"; every reader of our files turns those strings back into numbers.
//
// One encoding for run.json, results JSON Lines (sweep, merge), checkpoint and weights metadata and --json output.
// A number too large for f64 in a file (1e309) reads as Infinity and is written back as "Infinity"; -0 is written as
// 0 (JSON.stringify's rule); denormals (1e-320) round-trip exactly. No string field of ours holds exactly these
// three words, so the reviver cannot mistake text for a number. Files from before this encoding wrote null for a
// non-finite statistic; readers still accept that null where a statistic may be missing.

const ENCODED: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function encodeNumber(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function decodeNumber(_key: string, value: unknown): unknown {
  return typeof value === 'string' && Object.hasOwn(ENCODED, value) ? ENCODED[value] : value;
}

/** JSON.stringify with non-finite numbers as "NaN" / "Infinity" / "-Infinity". */
export function stringifyJson(value: unknown, space?: number): string {
  return JSON.stringify(value, encodeNumber, space);
}

/** JSON.parse that turns "NaN" / "Infinity" / "-Infinity" back into numbers. Throws SyntaxError like JSON.parse. */
export function parseJson(text: string): unknown {
  return JSON.parse(text, decodeNumber);
}
