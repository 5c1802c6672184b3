// Specs of assembly/encoder.ts on a hand-computed two-sample batch.
import { encoderForward, encoderBackward, encoderBackwardScratchBytes } from "../encoder";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

// n = 3 features, m = 4 hidden (stride 4); W_in^T rows: j=0 (1,2,3,4), j=1 (0,1,0,1), j=2 (-1,-1,-1,-1).
const winT = new Float32Array(12);
const rows: f32[] = [1, 2, 3, 4, 0, 1, 0, 1, -1, -1, -1, -1];
for (let i = 0; i < 12; i++) winT[i] = rows[i];
// Sample 0: x0 = 0.5, x2 = 2; sample 1: x1 = 3.
const offsets = new Int32Array(3);
offsets[0] = 0; offsets[1] = 2; offsets[2] = 3;
const indices = new Int32Array(3);
indices[0] = 0; indices[1] = 2; indices[2] = 1;
const values = new Float32Array(3);
values[0] = 0.5; values[1] = 2; values[2] = 3;


describe("encoder", () => {
  it("forward sums active columns", () => {
    const hidden = new Float32Array(8);
    hidden[3] = 99; // must be overwritten
    encoderForward(2, 4, ptr(offsets), ptr(indices), ptr(values), ptr(winT), ptr(hidden));
    const expected: f32[] = [-1.5, -1, -0.5, 0, 0, 3, 0, 3];
    for (let i = 0; i < 8; i++) expect<f32>(hidden[i]).toBe(expected[i]);
  });

  it("backward sums x dHidden into the active rows (fresh, then accumulating)", () => {
    const dHidden = new Float32Array(8);
    for (let i = 0; i < 8; i++) dHidden[i] = <f32>(i + 1);
    const grad = new Float32Array(12);
    grad[5] = 42; // zeroed by the kernel
    const scratch = new Int32Array(<i32>(encoderBackwardScratchBytes(2, 3, 4) >> 2));
    encoderBackward(2, 3, 4, ptr(offsets), ptr(indices), ptr(values), ptr(dHidden), ptr(grad), false, ptr(scratch));
    const expected: f32[] = [0.5, 1, 1.5, 2, 15, 18, 21, 24, 2, 4, 6, 8];
    for (let i = 0; i < 12; i++) expect<f32>(grad[i]).toBe(expected[i]);
    encoderBackward(2, 3, 4, ptr(offsets), ptr(indices), ptr(values), ptr(dHidden), ptr(grad), true, ptr(scratch));
    for (let i = 0; i < 12; i++) expect<f32>(grad[i]).toBe(2 * expected[i]);
  });
});
