import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { assetPath, CHART_ASSETS } from '../../bot/chart-assets.ts';
import { trendsPng, trendsSpec, trendsSvg, type TrendPoint } from '../../bot/chart.ts';

const points: TrendPoint[] = [
  { release_year: 1994, movies: 12, avg_rating: 7.4 },
  { release_year: 1995, movies: 15, avg_rating: null },
  { release_year: 1997, movies: 9, avg_rating: 6.85 },
];

/** Width and height from the IHDR chunk, which always directly follows the 8-byte PNG signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe('trendsSpec', () => {
  it('carries exactly the given points as inline data', () => {
    const spec = trendsSpec(points, 'Trends');
    expect(spec.data).toEqual({ values: points });
    expect(spec).toMatchObject({ title: { text: 'Trends' }, resolve: { scale: { y: 'independent' } } });
  });

  it('refuses an empty series', () => {
    expect(() => trendsSpec([], 'Trends')).toThrow('No points');
  });
});

describe('trendsSvg', () => {
  it('shows the title and plain four-digit year labels', async () => {
    const svg = await trendsSvg(points, 'Films per year');
    expect(svg).toContain('Films per year');
    expect(svg).toContain('>1994<');
    expect(svg).toContain('>1997<');
    // The missing year still gets its slot on the axis.
    expect(svg).toContain('>1996<');
    expect(svg).not.toContain('1,994');
    expect(svg).toContain('font-family="DejaVu Sans"');
  });

  it('escapes markup in the title', async () => {
    const svg = await trendsSvg(points, 'Films <script>alert(1)</script> & more');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
  });
});

describe('trendsPng', () => {
  it('renders a PNG at twice the chart size, sharing one rasterizer setup between concurrent calls', async () => {
    const [a, b] = await Promise.all([trendsPng(points, 'First'), trendsPng(points, 'Second')]);
    for (const png of [a, b]) {
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(pngSize(png)).toEqual({ width: 2 * 720, height: 2 * 320 });
    }
    // A later call reuses the initialized rasterizer (a second init would throw).
    expect(pngSize(await trendsPng(points, 'Third')).width).toBe(1440);
  });
});

describe('assets', () => {
  it('resolves every asset from its package when none sits beside the module', () => {
    for (const { file, module } of CHART_ASSETS) {
      const path = assetPath(file, module);
      expect(path.endsWith(file)).toBe(true);
      expect(existsSync(path)).toBe(true);
    }
  });
});
