/**
 * Files the chart reads at run time, apart from the code. The Lambda bundle is a single index.mjs,
 * so its build copies these next to it (infra/constructs/bot.ts); elsewhere they are resolved from
 * node_modules. Kept apart from chart.ts so the CDK app can name them without loading vega.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const CHART_ASSETS = [
  { file: 'index_bg.wasm', module: '@resvg/resvg-wasm/index_bg.wasm' },
  { file: 'DejaVuSans.ttf', module: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf' },
] as const;

/** The file next to this module when bundled, else the one inside its package. */
export function assetPath(fileName: string, packagePath: string): string {
  const beside = fileURLToPath(new URL(`./${fileName}`, import.meta.url));
  return existsSync(beside) ? beside : createRequire(import.meta.url).resolve(packagePath);
}
