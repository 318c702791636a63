// The warehouse worker's entry. A worker thread starts without the parent's module hooks, so,
// as bin/movies.js does for the CLI, it registers tsx before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./warehouse-worker.ts');
