// Matrix images on canvases: one cell per entry, blue < 0 < red on a symmetric scale, scaled without smoothing.
import { divergingColour } from 'persian-rug/figures';

/** Draws a rows x cols row-major block, colours scaled to [-scale, scale] (NaN: grey, outside the matrix). */
export function drawMatrix(canvas: HTMLCanvasElement, block: ArrayLike<number>, rows: number, cols: number, scale: number): void {
  const image = new ImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const v = block[i];
    const [r, g, b] = Number.isNaN(v) ? [200, 200, 200] : scale > 0 ? divergingColour(v, scale) : divergingColour(0, 1);
    image.data[4 * i] = r; image.data[4 * i + 1] = g; image.data[4 * i + 2] = b; image.data[4 * i + 3] = 255;
  }
  const cells = document.createElement('canvas');
  cells.width = cols;
  cells.height = rows;
  cells.getContext('2d')!.putImageData(image, 0, 0);
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
