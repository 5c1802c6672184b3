// Specs of assembly/layout.ts: strided transpose and transpose-accumulate.
import { transposeInto } from "../layout";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

describe("transposeInto", () => {
  it("transposes a 2 x 3 block between strides and accumulates", () => {
    const src = new Float32Array(8); // 2 rows, stride 4
    src[0] = 1; src[1] = 2; src[2] = 3; src[4] = 4; src[5] = 5; src[6] = 6;
    const dst = new Float32Array(6); // 3 rows, stride 2
    transposeInto(ptr(src), 2, 3, 4, ptr(dst), 2, false);
    const expected: f32[] = [1, 4, 2, 5, 3, 6];
    for (let i = 0; i < 6; i++) expect<f32>(dst[i]).toBe(expected[i]);
    transposeInto(ptr(src), 2, 3, 4, ptr(dst), 2, true);
    for (let i = 0; i < 6; i++) expect<f32>(dst[i]).toBe(2 * expected[i]);
  });
});
