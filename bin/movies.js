#!/usr/bin/env node
// The `movies` CLI. The project is TypeScript end to end; tsx runs it without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/node-warnings.ts');
const { main } = await import('../cli/cli.ts');
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
