/** The TypeScript engine's contract step alone (readDrop) over a file: one core. Prints JSON like glue_core.py. */
import { readChunks } from '../../contract/read-chunks.ts';
import { readDrop } from '../../contract/movie-reader.ts';

const file = process.argv[2]!;
const start = performance.now();
let problems = 0;
const { rows } = await readDrop(file, readChunks(file), (row) => {
  if (row.problems.length) problems++;
});
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, rows, problems }));
