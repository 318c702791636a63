/**
 * Files the chart reads at run time, apart from the code. The Lambda bundle is a single index.mjs,
 * so its build copies these next to it; elsewhere they are resolved from node_modules. The list is
 * data (lambda-assets.json), so the CDK app reads it from disk rather than importing the bot.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import LAMBDA_ASSETS from './lambda-assets.json' with { type: 'json' };

export const CHART_ASSETS: readonly { readonly file: string; readonly module: string }[] = LAMBDA_ASSETS;

/** The file next to this module when bundled, else the one inside its package. */
export function assetPath(fileName: string, packagePath: string): string {
  const beside = fileURLToPath(new URL(`./${fileName}`, import.meta.url));
  return existsSync(beside) ? beside : createRequire(import.meta.url).resolve(packagePath);
}
