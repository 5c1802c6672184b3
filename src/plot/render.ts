// Figures to files in node: a Vega-Lite spec -> SVG (Vega's headless renderer) -> PNG (resvg in wasm, DejaVu Sans from npm).
//
// The charting packages are optional peer dependencies, imported here on first use only: the trainer, the theory and
// the root export never load them. Missing packages give one FigureDependencyError naming the npm install command.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fontMetrics, type FontMetrics } from './fontMetrics.js';
import { ConfigError } from '../config/schema.js';

/** The packages figures need, as one `npm install` argument list. */
const FIGURE_PACKAGES = ['vega', 'vega-lite', '@resvg/resvg-wasm', 'dejavu-fonts-ttf'] as const;
const FIGURE_INSTALL = `npm install ${FIGURE_PACKAGES.join(' ')}`;

/** A charting package is missing: a ConfigError, so every command reports it as one line with exit code 2. */
class FigureDependencyError extends ConfigError {}

/** Fonts embedded in every PNG (from the dejavu-fonts-ttf package), so output is the same on any machine. */
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'];
const FIGURE_FONT = 'DejaVu Sans';

/** Pixel rectangle in SVG units (PNG pixels = scale x these). */
export interface Rect { x: number; y: number; width: number; height: number }

export interface RenderedSvg {
  svg: string;
  width: number;
  height: number;
  /** Plot areas (facet cells, concatenated or single views) in SVG units: where data must be drawn. */
  panels: Rect[];
}

interface Libraries {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
  /** The bytes of FONT_FILES, in order. */
  fonts: Uint8Array[];
}

let libraries: Promise<Libraries> | undefined;
let resvg: Promise<typeof import('@resvg/resvg-wasm').Resvg> | undefined;

function missing(error: unknown): FigureDependencyError {
  const detail = (error as Error).message.split('\n')[0];
  return new FigureDependencyError(`figures need the optional packages ${FIGURE_PACKAGES.join(', ')} (${detail}); install them with: ${FIGURE_INSTALL}`);
}

/** Vega's text widths from the DejaVu fonts' advance widths (regular; bold for bold text). */
function useFontMetrics(vega: Libraries['vega'], regular: FontMetrics, bold: FontMetrics): void {
  type Item = { text?: unknown; fontSize?: number; fontWeight?: string | number };
  // textMetrics is exported by vega (from vega-scenegraph) but missing from its typings
  const textMetrics = (vega as unknown as { textMetrics: { width: (item: Item, text?: unknown) => number } }).textMetrics;
  textMetrics.width = (item: Item, text?: unknown) => {
    const value = text ?? item.text;
    const line = Array.isArray(value) ? value.join(' ') : value == null ? '' : String(value);
    const weight = item.fontWeight;
    const metrics = weight === 'bold' || (typeof weight === 'number' && weight >= 600) ? bold : regular;
    return metrics.width(line, item.fontSize ?? 11);
  };
}

function loadLibraries(): Promise<Libraries> {
  libraries ??= (async () => {
    const require = createRequire(import.meta.url);
    const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
    const fonts = await Promise.all(FONT_FILES.map(async (f) => new Uint8Array(await readFile(require.resolve(`dejavu-fonts-ttf/ttf/${f}`)))));
    useFontMetrics(vega, fontMetrics(fonts[0]), fontMetrics(fonts[1]));
    return { vega, vegaLite, fonts };
  })().catch((error) => { libraries = undefined; throw missing(error); });
  return libraries;
}

function loadResvg() {
  resvg ??= (async () => {
    const require = createRequire(import.meta.url);
    const module = await import('@resvg/resvg-wasm');
    await module.initWasm(await readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    return module.Resvg;
  })().catch((error) => { resvg = undefined; throw missing(error); });
  return resvg;
}

/** Loads every charting package now, so a missing one is reported before any work or file is written. */
export async function checkFigureDependencies(options: { png?: boolean } = {}): Promise<void> {
  await loadLibraries();
  if (options.png !== false) await loadResvg();
}

interface SceneItem { x?: number; y?: number; width?: number; height?: number; items?: SceneItem[]; mark?: SceneMark; role?: string }
interface SceneMark { marktype: string; role: string; name?: string; items: SceneItem[] }

/** Absolute rectangles of the plot areas: facet cells and concatenated views (Vega-Lite names them cell, *_group), else the root view. */
function plotAreas(root: SceneItem, width: number, height: number, origin: { x: number; y: number }): Rect[] {
  const out: Rect[] = [];
  const visit = (item: SceneItem, ox: number, oy: number) => {
    for (const child of item.items ?? []) {
      const mark = child as unknown as SceneMark;
      if (mark.marktype !== 'group') continue;
      for (const group of mark.items) {
        const x = ox + (group.x ?? 0), y = oy + (group.y ?? 0);
        if (mark.role === 'legend') continue;
        const view = mark.role === 'cell' || (mark.role === 'scope' && /(^cell|_group)$/.test(mark.name ?? ''));
        if (view && (group.width ?? 0) > 0 && (group.height ?? 0) > 0) out.push({ x, y, width: group.width!, height: group.height! });
        visit(group, x, y);
      }
    }
  };
  visit(root, origin.x, origin.y);
  return out.length ? out : [{ x: origin.x, y: origin.y, width, height }];
}

/** Compiles the Vega-Lite spec and renders it headless to SVG; also returns its size and plot areas. */
export async function renderSvg(spec: object): Promise<RenderedSvg> {
  const { vega, vegaLite } = await loadLibraries();
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    await view.runAsync();
    const svg = await view.toSVG();
    const size = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
    const width = size ? Number(size[1]) : view.width(), height = size ? Number(size[2]) : view.height();
    const root = (view.scenegraph() as unknown as { root: SceneItem }).root;
    const origin = view.origin();
    const rootGroup = root.items?.[0] ?? root;
    const panels = plotAreas(rootGroup, view.width(), view.height(), { x: origin[0], y: origin[1] });
    return { svg, width, height, panels };
  } finally {
    view.finalize();
  }
}

/**
 * PNG of an SVG at `scale` x its size, text in the shipped DejaVu fonts (no system fonts), white background.
 * Images drawn with smooth: false keep sharp pixels (resvg reads image-rendering: optimizeSpeed, not pixelated).
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const [{ fonts }, Resvg] = await Promise.all([loadLibraries(), loadResvg()]);
  const text = svg.replaceAll('image-rendering: optimizeSpeed; image-rendering: pixelated;', 'image-rendering: optimizeSpeed;');
  const renderer = new Resvg(text, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { fontBuffers: fonts, defaultFontFamily: FIGURE_FONT, sansSerifFamily: FIGURE_FONT, loadSystemFonts: false },
  });
  try {
    const image = renderer.render();
    const png = image.asPng();
    image.free();
    return png;
  } finally {
    renderer.free();
  }
}
