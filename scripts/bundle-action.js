// Bundles the Action to dist/ (ESM, one file, like actions/typescript-action), plus the default
// ruleset it reads next to itself. CI rebuilds and fails when dist/ differs from the sources.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
await build({
  entryPoints: ['action/index.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/index.js',
  legalComments: 'none',
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
copyFileSync('contract/movies.dqdl', 'dist/movies.dqdl');
