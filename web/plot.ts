// Canvas drawing for the page: the loss curve with horizontal reference lines, and a diverging image of W.
import { divergingColour } from 'persian-rug/figures';

export interface ReferenceLine {
  label: string;
  value: number;
  color: string;
  dash: number[];
}

export const LOSS_COLOR = '#1f5fbf';

/** Loss against step on a log y axis; `points` are [step, loss]; reference lines span the full width. */
export function drawLossChart(canvas: HTMLCanvasElement, points: readonly [number, number][], totalSteps: number, lines: readonly ReferenceLine[]): void {
  const g = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const left = 64, right = 16, top = 16, bottom = 40;
  g.clearRect(0, 0, width, height);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, width, height);
  const values = [...points.map((p) => p[1]), ...lines.map((l) => l.value)].filter((v) => v > 0 && Number.isFinite(v));
  if (values.length === 0) return;
  let lo = Math.log10(Math.min(...values)), hi = Math.log10(Math.max(...values));
  if (hi - lo < 0.2) { lo -= 0.1; hi += 0.1; }
  lo -= 0.05 * (hi - lo); hi += 0.05 * (hi - lo);
  const x = (step: number) => left + (width - left - right) * (step / Math.max(1, totalSteps));
  const y = (loss: number) => top + (height - top - bottom) * (1 - (Math.log10(loss) - lo) / (hi - lo));
  // axes, decade and half-decade ticks
  g.strokeStyle = '#999'; g.lineWidth = 1; g.setLineDash([]);
  g.beginPath(); g.moveTo(left, top); g.lineTo(left, height - bottom); g.lineTo(width - right, height - bottom); g.stroke();
  g.fillStyle = '#333'; g.font = '12px system-ui, sans-serif'; g.textAlign = 'right'; g.textBaseline = 'middle';
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const mult of [1, 2, 5]) {
      const v = mult * 10 ** e, yy = y(v);
      if (yy < top || yy > height - bottom) continue;
      g.strokeStyle = '#eee'; g.beginPath(); g.moveTo(left + 1, yy); g.lineTo(width - right, yy); g.stroke();
      g.fillText(v.toExponential(0), left - 6, yy);
    }
  }
  g.textAlign = 'center'; g.textBaseline = 'top';
  for (let i = 0; i <= 4; i++) {
    const step = Math.round((totalSteps * i) / 4);
    g.fillText(String(step), x(step), height - bottom + 6);
  }
  g.fillText('step', (left + width - right) / 2, height - 16);
  // reference lines with labels
  g.lineWidth = 2;
  for (const line of lines) {
    if (!(line.value > 0)) continue;
    g.strokeStyle = line.color; g.setLineDash(line.dash);
    g.beginPath(); g.moveTo(left, y(line.value)); g.lineTo(width - right, y(line.value)); g.stroke();
    g.setLineDash([]); g.fillStyle = line.color; g.textAlign = 'left'; g.textBaseline = 'bottom';
    g.fillText(`${line.label} = ${line.value.toPrecision(3)}`, left + 8, y(line.value) - 2);
  }
  // the training curve
  g.strokeStyle = LOSS_COLOR; g.lineWidth = 2; g.setLineDash([]);
  g.beginPath();
  points.forEach(([step, loss], i) => (i === 0 ? g.moveTo(x(step), y(loss)) : g.lineTo(x(step), y(loss))));
  g.stroke();
}

/** Draws a size x size row-major block with colours scaled to [-scale, scale], one cell per size-th of the canvas. */
export function drawMatrix(canvas: HTMLCanvasElement, block: Float64Array, size: number, scale: number): void {
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = divergingColour(block[i], scale);
    image.data[4 * i] = r; image.data[4 * i + 1] = g; image.data[4 * i + 2] = b; image.data[4 * i + 3] = 255;
  }
  const cells = document.createElement('canvas');
  cells.width = size;
  cells.height = size;
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
