// The wasm ABI: re-exports only. Every kernel takes byte offsets into linear memory and plain scalars.
export { heapBase } from "./memory";
export { randomSeed, randomFillU32, randomFillUniform } from "./random";
export { sampleBatch } from "./sample";
export { encoderForward, encoderBackward, encoderBackwardScratchBytes } from "./encoder";
export { decoderForward, decoderForwardScratchBytes, decoderBackward, decoderBackwardScratchBytes } from "./decoder";
export { adamUpdate } from "./adam";
export { packDecoderPanels } from "./layout";
export { walshHadamardTransform, walshHadamardTransformBatch, rugDirectMaxActive, rugProject, rugLoss } from "./hadamard";
export { peakProbe } from "./probe";
export { weightRows } from "./statistics";
