/**
 * Renders the yearly-trends answer as a PNG: a vega-lite spec is compiled to vega, drawn headless to SVG,
 * then rasterized by resvg. The rasterizer is the WASM build, not the native one, so the same bundle runs on
 * Lambda arm64 without platform binaries; the font is shipped with it because Lambda has no system fonts.
 */
import { readFileSync } from 'node:fs';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { assetPath, CHART_ASSETS } from './chart-assets.ts';

export interface TrendPoint {
  release_year: number;
  movies: number;
  avg_rating: number | null;
}

const FONT = 'DejaVu Sans';
const WIDTH = 720;
const HEIGHT = 320;
const SCALE = 2; // Slack shows images on high-density screens.
const BAR_COLOR = '#4c78a8';
const LINE_COLOR = '#e45756';

/** The vega-lite spec of the chart; `width`/`height` are the whole image, in CSS pixels. */
export function trendsSpec(points: readonly TrendPoint[], title: string): TopLevelSpec {
  if (points.length === 0) throw new Error('No points to chart');
  const years = points.map((p) => p.release_year);
  const first = Math.min(...years);
  const last = Math.max(...years);
  // Every year in the range, so a year without films shows as a gap rather than vanishing.
  const allYears = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 18, fontWeight: 'normal', offset: 12 },
    width: WIDTH,
    height: HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 16,
    background: 'white',
    data: { values: points.map((p) => ({ ...p })) },
    // Ordinal years are labelled as-is ("1994"); a quantitative axis would group digits ("1,994").
    encoding: {
      x: {
        field: 'release_year',
        type: 'ordinal',
        title: 'Release year',
        scale: { domain: allYears },
        axis: { labelAngle: 0, labelOverlap: 'greedy', labelSeparation: 8 },
      },
    },
    layer: [
      {
        mark: { type: 'bar', color: BAR_COLOR, opacity: 0.85 },
        encoding: {
          y: {
            field: 'movies',
            type: 'quantitative',
            title: 'Films',
            axis: { titleColor: BAR_COLOR, format: ',d', tickMinStep: 1 },
          },
        },
      },
      {
        mark: { type: 'line', color: LINE_COLOR, strokeWidth: 2.5, point: { color: LINE_COLOR, size: 30 } },
        encoding: {
          y: {
            field: 'avg_rating',
            type: 'quantitative',
            title: 'Average IMDb rating',
            scale: { zero: false, nice: true },
            axis: { orient: 'right', titleColor: LINE_COLOR, format: '.1f', grid: false },
          },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
    config: {
      font: FONT,
      view: { stroke: null },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', labelColor: '#333' },
    },
  };
}

/** The chart as an SVG document. Vega escapes all text it writes, so titles and data cannot inject markup. */
export async function trendsSvg(points: readonly TrendPoint[], title: string): Promise<string> {
  const compiled = compile(trendsSpec(points, title));
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let ready: Promise<Uint8Array> | undefined;

/** Loads the WASM rasterizer (allowed once per process) and the font; concurrent callers share the one load. */
function rasterizer(): Promise<Uint8Array> {
  ready ??= (async () => {
    const [wasm, font] = CHART_ASSETS.map((a) => readFileSync(assetPath(a.file, a.module)));
    await initWasm(wasm!);
    return new Uint8Array(font!);
  })();
  return ready;
}

/** The chart as a PNG at twice its CSS size. */
export async function trendsPng(points: readonly TrendPoint[], title: string): Promise<Uint8Array> {
  const [svg, font] = await Promise.all([trendsSvg(points, title), rasterizer()]);
  const resvg = new Resvg(svg, {
    font: { fontBuffers: [font], defaultFontFamily: FONT, sansSerifFamily: FONT },
    fitTo: { mode: 'zoom', value: SCALE },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
