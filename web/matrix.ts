// Matrix images on canvases: one cell per entry, blue < 0 < red on a symmetric scale, scaled without smoothing.
import { divergingColour } from 'persian-rug/figures';

/** RGBA pixels of a row-major block, colours scaled to [-scale, scale] (NaN: grey, outside the matrix); no DOM, so workers use it too. */
export function matrixColours(block: ArrayLike<number>, scale: number): Uint8ClampedArray<ArrayBuffer> {
  const data = new Uint8ClampedArray(4 * block.length);
  for (let i = 0; i < block.length; i++) {
    const v = block[i];
    const [r, g, b] = Number.isNaN(v) ? [200, 200, 200] : scale > 0 ? divergingColour(v, scale) : divergingColour(0, 1);
    data[4 * i] = r; data[4 * i + 1] = g; data[4 * i + 2] = b; data[4 * i + 3] = 255;
  }
  return data;
}

/** Draws a rows x cols row-major block, colours scaled to [-scale, scale] (NaN: grey, outside the matrix). */
export function drawMatrix(canvas: HTMLCanvasElement, block: ArrayLike<number>, rows: number, cols: number, scale: number): void {
  putMatrix(canvas, matrixColours(block, scale), rows, cols);
}

/** Puts rows x cols RGBA pixels on the canvas, one cell per entry, scaled without smoothing. */
export function putMatrix(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray<ArrayBuffer>, rows: number, cols: number): void {
  const cells = document.createElement('canvas');
  cells.width = cols;
  cells.height = rows;
  cells.getContext('2d')!.putImageData(new ImageData(rgba, cols, rows), 0, 0);
  const g = canvas.getContext('2d')!;
  g.imageSmoothingEnabled = false;
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.drawImage(cells, 0, 0, canvas.width, canvas.height);
}

export function drawColorbar(canvas: HTMLCanvasElement): void {
  const g = canvas.getContext('2d')!;
  for (let x = 0; x < canvas.width; x++) {
    const [r, gr, b] = divergingColour((2 * x) / (canvas.width - 1) - 1, 1);
    g.fillStyle = `rgb(${r}, ${gr}, ${b})`;
    g.fillRect(x, 0, 1, canvas.height);
  }
}
