import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { movies } from './run-cli.ts';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { clients, drop, finishedExecution } from '../local-aws/twin-client.ts';

let root: string;
let twin: Twin;
const saved = { ...process.env };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'movies-query-'));
  twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
  const c = clients(twin.endpoint, twin.region);
  const key = 'input_data/query/clean.csv';
  const etag = await drop(c, twin.bucket, key, readFileSync('data/clean/movies_2024_q1.csv'));
  await finishedExecution(c, twin.stateMachineArn, key, etag);
  // Sixty years of films: more rows than a Slack answer shows.
  const years = Array.from(
    { length: 60 },
    (_, i) => `Film of ${1931 + i},${1931 + i},7.${i % 10},${1000 + i}`,
  );
  const decadesKey = 'input_data/query/years.csv';
  const decades = await drop(
    c,
    twin.bucket,
    decadesKey,
    `title,release_year,imdb_rating,votes\n${years.join('\n')}\n`,
  );
  await finishedExecution(c, twin.stateMachineArn, decadesKey, decades);
  Object.assign(process.env, twin.env);
}, 120_000);
afterAll(async () => {
  process.env = saved;
  await twin?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('movies query', () => {
  it('prints the top-rated films from the warehouse as a text table', async () => {
    const r = await movies('query', 'top-rated', '3');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Top 3 films by weighted rating');
    expect(lines[1]).toMatch(/^title\s+release_year\s+imdb_rating\s+votes\s+weighted_rating$/);
    expect(lines).toHaveLength(5);
    expect(r.stdout).not.toMatch(/[`*]|&lt;/);
  });

  it('answers genres, status, and a genre that does not exist (the input is a parameter, not SQL)', async () => {
    expect((await movies('query', 'genres')).stdout).toMatch(/^genre\s+movies\s+avg_rating/m);
    const status = await movies('query', 'status');
    expect(status.stdout).toContain('Latest pipeline runs');
    expect(status.stdout).toContain('SUCCEEDED input_data/query/clean.csv');
    expect(status.stdout).not.toContain('`');
    const none = await movies('query', 'genre', "x' OR '1'='1");
    expect(none).toMatchObject({ code: 0 });
    expect(none.stdout).toContain("No films in genre x' OR '1'='1 yet. movies query genres lists them.");
  });

  it("filters top-rated by one of a film's genres, exactly: typed wildcards match nothing", async () => {
    const drama = await movies('query', 'top-rated', '50', 'drama');
    expect(drama.stdout).toMatch(/^Top 50 films in drama by weighted rating\n/);
    expect(drama.stdout).toContain('The Crimson Garden'); // "Romance, Sci-Fi, Drama": its third genre
    expect(drama.stdout).not.toContain('The Silent Harbor'); // "Action, Animation"
    for (const pattern of ['%', 'dram_', 'ram'])
      expect((await movies('query', 'top-rated', '5', pattern)).stdout).toContain(
        'No rated films in this genre yet. movies query genres lists the genres.',
      );
    expect((await movies('query', 'top-rated', '--', '-5')).stderr).toContain('n must be from 1 to 50.');
  });

  it('prints a long table whole: every year, not the first 40 as Slack shows', async () => {
    const r = await movies('query', 'trends', '1931-1990');
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').slice(2);
    expect(rows).toHaveLength(60);
    expect(rows.at(-1)).toMatch(/^1990\s+1\s/);
    expect(r.stdout).not.toContain('more');
  });

  it('draws trends as a PNG with --chart', async () => {
    const png = join(root, 'trends.png');
    const r = await movies('query', 'trends', '--chart', png);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Films per year\n/);
    expect(r.stdout).toContain(`chart: ${png}`);
    expect([...readFileSync(png).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  });

  it('exits 2 with help for a question it does not understand', async () => {
    const r = await movies('query', 'drop', 'tables');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain('I do not know "drop".');
    expect(r.stderr).toContain('movies query top-rated [n] [genre]');
    expect((await movies('query', 'top-rated', '99')).stderr).toContain('n must be from 1 to 50.');
    expect((await movies('query', 'genres', '--chart', 'x.png')).stderr).toContain(
      '--chart draws the trends answer only',
    );
  });

  it("exits 4 with one sentence when the endpoint's name does not resolve", async () => {
    process.env.AWS_ENDPOINT_URL = 'http://warehouse.invalid:4566';
    try {
      const r = await movies('query', 'genres');
      expect(r.code).toBe(4);
      expect(r.stderr).toBe(
        'movies: warehouse.invalid could not be reached (its name does not resolve): check your network and the region; for the local twin, set AWS_ENDPOINT_URL.\n',
      );
    } finally {
      process.env.AWS_ENDPOINT_URL = twin.endpoint;
    }
  });

  it('exits 4 with one sentence when nothing answers at the endpoint', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    try {
      const r = await movies('query', 'genres');
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^movies: Nothing answers at the endpoint .*; is the local twin running\?\n$/);
    } finally {
      process.env.AWS_ENDPOINT_URL = twin.endpoint;
    }
  });
});
