import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTwin, type Twin } from '../../local-aws/twin.ts';
import { renderedText } from './rendered.ts';

const DIST = resolve('dist/index.js');
let root: string;
let twin: Twin;
let github: Server;
let githubUrl: string;
/** What the fake GitHub API was asked, and the comments it holds. */
const calls: string[] = [];
const comments: { id: number; body: string }[] = [];
/** Data file names that try to write a workflow command, and a heading, a mention and HTML. */
const HOSTILE_NAMES = [
  'data/x\n::error title=Injected::Fake.csv',
  'data/y\r## heading @octocat <img src=x>.csv',
];
const hostileComments: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'movies-action-e2e-'));
  twin = await startTwin({ dataDir: join(root, 'twin'), port: 0 });
  github = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`);
      const send = (status: number, body: unknown): void =>
        void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'GET' && url.pathname === '/repos/acme/movies-data/pulls/7/files') {
        // Two pages, as GitHub paginates.
        if (url.searchParams.get('page') === '2')
          return send(200, [{ filename: 'data/2024/defects.csv', status: 'modified' }]);
        res.setHeader(
          'link',
          `<${githubUrl}/repos/acme/movies-data/pulls/7/files?per_page=100&page=2>; rel="next"`,
        );
        return send(200, [
          { filename: 'data/2024/clean.csv', status: 'added' },
          { filename: 'data/2024/gone.csv', status: 'removed' },
          { filename: 'README.md', status: 'modified' },
        ]);
      }
      if (req.method === 'GET' && url.pathname === '/repos/acme/movies-data/pulls/8/files')
        return send(
          200,
          [...HOSTILE_NAMES, 'data/ok.csv'].map((filename) => ({ filename, status: 'added' })),
        );
      if (req.method === 'GET' && /\/issues\/8\/comments$/.test(url.pathname)) return send(200, []);
      if (req.method === 'POST' && /\/issues\/8\/comments$/.test(url.pathname)) {
        hostileComments.push((JSON.parse(text) as { body: string }).body);
        return send(201, { id: 100 });
      }
      if (req.method === 'GET' && /\/issues\/7\/comments$/.test(url.pathname)) return send(200, comments);
      if (req.method === 'POST' && /\/issues\/7\/comments$/.test(url.pathname)) {
        const c = { id: comments.length + 1, body: (JSON.parse(text) as { body: string }).body };
        comments.push(c);
        return send(201, c);
      }
      const patch = /\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (req.method === 'PATCH' && patch) {
        comments.find((c) => c.id === Number(patch[1]))!.body = (JSON.parse(text) as { body: string }).body;
        return send(200, {});
      }
      if (req.method === 'GET' && /\/commits\/[0-9a-f]+\/pulls$/.test(url.pathname))
        return send(200, [{ number: 7, merged_at: '2026-11-26T06:00:00Z', state: 'closed' }]);
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((r) => github.listen(0, '127.0.0.1', r));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await twin?.stop();
  await new Promise((r) => github?.close(r));
  rmSync(root, { recursive: true, force: true });
});

/** A git repository whose last commit adds `files` (name → content); returns [before, after]. */
function repoWith(
  name: string,
  files: Record<string, string | Buffer>,
): { ws: string; before: string; after: string } {
  const ws = join(root, name);
  mkdirSync(ws, { recursive: true });
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: ws, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'CI');
  writeFileSync(join(ws, 'README.md'), 'data\n');
  git('add', '.');
  git('commit', '-qm', 'start');
  const before = git('rev-parse', 'HEAD');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(ws, path, '..'), { recursive: true });
    writeFileSync(join(ws, path), content);
  }
  git('add', '.');
  git('commit', '-qm', 'drop');
  return { ws, before, after: git('rev-parse', 'HEAD') };
}

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs dist/index.js the way the runner does: INPUT_* variables, an event payload file, output files. */
function runAction(
  ws: string,
  event: string,
  payload: object,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(root, 'runner-'));
  const files = {
    event: join(dir, 'event.json'),
    output: join(dir, 'output'),
    summary: join(dir, 'summary'),
  };
  writeFileSync(files.event, JSON.stringify(payload));
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const sha = (payload as { after?: string }).after ?? 'f'.repeat(40);
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME ?? root,
    GITHUB_WORKSPACE: ws,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: 'acme/movies-data',
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_API_URL: githubUrl,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  };
  for (const [k, v] of Object.entries(inputs)) childEnv[`INPUT_${k.toUpperCase()}`] = v;
  return new Promise((resolveRun) => {
    execFile(process.execPath, [DIST], { cwd: ws, env: childEnv }, (err, stdout) => {
      const outputs: Record<string, string> = {};
      for (const m of readFileSync(files.output, 'utf8').matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm))
        outputs[m[1]!] = m[3]!;
      resolveRun({
        code: err ? ((err as { code?: number }).code ?? 1) : 0,
        stdout,
        outputs,
        summary: readFileSync(files.summary, 'utf8'),
      });
    });
  });
}

const DROP_INPUTS = () => ({
  bucket: twin.bucket,
  'state-machine-arn': twin.stateMachineArn,
  region: twin.region,
  endpoint: twin.endpoint,
  'poll-interval-seconds': '0.2',
  'timeout-minutes': '1',
  'github-token': 'ghs_secret_token_value',
});
const DATA = {
  clean: readFileSync('data/clean/movies_2024_q1.csv'),
  defects: readFileSync('data/defects/movies_2024_q2.csv'),
  rejected: readFileSync('data/rejected/movies_2024_q3.csv'),
};

describe('the bundled Action, run as the runner runs it, against the local twin', () => {
  it('push: uploads the changed files, follows their executions and reports outcomes, paths and the PR comment', async () => {
    const { ws, before, after } = repoWith('push', {
      'data/2024/clean.csv': DATA.clean,
      'data/2024/defects.csv': DATA.defects,
      'docs/notes.txt': 'x',
    });
    const r = await runAction(
      ws,
      'push',
      { before, after, repository: { name: 'movies-data', owner: { login: 'acme' } } },
      DROP_INPUTS(),
    );
    expect(r.code).toBe(0);
    expect(r.outputs.status).toBe('PARTIAL');
    const results = JSON.parse(r.outputs.results!) as {
      file: string;
      key: string;
      status: string;
      rowsLoaded: number;
      rowsQuarantined: number;
      executionArn: string;
    }[];
    expect(results.map((x) => [x.file, x.key, x.status, x.rowsLoaded, x.rowsQuarantined])).toEqual([
      ['data/2024/clean.csv', 'input_data/2024/clean.csv', 'SUCCEEDED', 25, 0],
      ['data/2024/defects.csv', 'input_data/2024/defects.csv', 'PARTIAL', 22, 8],
    ]);
    expect(JSON.parse(r.outputs['execution-arns']!)).toEqual(results.map((x) => x.executionArn));
    expect(r.summary).toContain('## ⚠️ movies-gds data drop: PARTIAL');
    // One compact diagram of the phases for every file; each file's states in text, collapsed.
    expect(r.summary.match(/```mermaid/g)).toHaveLength(1);
    expect(r.summary).toContain('  p0["Describe"] --> p1["Crawl"] --> p2["Check and load"]');
    expect(r.summary).toMatch(/<details><summary>The \d+ states its execution entered<\/summary>/);
    // As GitHub shows it: names, URIs and rules as they are, with no escape in sight.
    const shown = renderedText(r.summary);
    expect(shown).toContain('data/2024/defects.csv');
    expect(shown).toMatch(/Quarantine: s3:\/\/movies-gds\/bad_data\/\S+\/rows\/bad\.csv/);
    expect(shown).toContain('ColumnValues "imdb_rating" <= 10');
    expect(shown).not.toContain('\\');
    expect(r.stdout).toContain('data/2024/clean.csv: → Run ETL job');
    // The runner hides the token everywhere once it is registered as a secret; it is never printed otherwise.
    expect(r.stdout.startsWith('::add-mask::ghs_secret_token_value\n')).toBe(true);
    expect(r.stdout.split('\n').slice(1).join('\n')).not.toContain('ghs_secret_token_value');
    // The outcome names the commit, the repository and the person who dropped it.
    const outcome = JSON.parse(twin.stepFunctions.get(results[0]!.executionArn).output!) as {
      source: Record<string, string>;
    };
    expect(outcome.source).toMatchObject({
      commit: after,
      repository: 'acme/movies-data',
      actor: 'octocat',
      ref: 'refs/heads/main',
    });
    expect(calls).toEqual(
      expect.arrayContaining([
        `GET /repos/acme/movies-data/commits/${after}/pulls`,
        'POST /repos/acme/movies-data/issues/7/comments',
      ]),
    );
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/^<!-- movies-gds:data-check -->\n## ⚠️ movies-gds data drop: PARTIAL/);
  }, 90_000);

  it('push of a rejected file fails the step with one sentence; the comment is updated, not duplicated', async () => {
    const { ws, before, after } = repoWith('rejected', { 'data/q3.csv': DATA.rejected });
    const r = await runAction(ws, 'push', { before, after }, DROP_INPUTS());
    expect(r.code).toBe(1);
    expect(r.outputs.status).toBe('QUALITY_FAILED');
    expect(r.stdout).toContain('::error::data/q3.csv is QUALITY_FAILED (fail-on: quality).');
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('movies-gds data drop: QUALITY_FAILED');
  }, 90_000);

  it('push of a malformed file reports the pipeline failure with its cause', async () => {
    const { ws, before, after } = repoWith('malformed', {
      'data/bad.csv': 'Series_Title;Released_Year;IMDB_Rating\nA;2000;8\n',
    });
    const r = await runAction(ws, 'push', { before, after }, { ...DROP_INPUTS(), 'fail-on': 'error' });
    expect(r.code).toBe(1);
    const [res] = JSON.parse(r.outputs.results!) as { status: string; error: string }[];
    expect(res).toMatchObject({
      status: 'FAILED',
      error:
        'Run ETL job: States.TaskFailed: input_data/bad.csv:1: the header is separated by semicolons; drops must be comma-separated',
    });
  }, 90_000);

  it('times out, as a failure, when no execution starts for the upload', async () => {
    const { ws, before, after } = repoWith('timeout', { 'data/q1.csv': DATA.clean });
    const r = await runAction(
      ws,
      'push',
      { before, after },
      { ...DROP_INPUTS(), prefix: 'not_watched/', 'timeout-minutes': '0.05' },
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.outputs.results!)).toEqual([
      expect.objectContaining({
        status: 'TIMEOUT',
        error: expect.stringContaining('No pipeline execution started'),
      }),
    ]);
  }, 60_000);

  it('dry run: says what it would upload, uploads nothing, needs no state machine, and says DRY_RUN', async () => {
    const { ws, before, after } = repoWith('dry-run', { 'data/dry/q1.csv': DATA.clean });
    const { 'state-machine-arn': _arn, ...inputs } = DROP_INPUTS();
    const r = await runAction(ws, 'push', { before, after }, { ...inputs, 'dry-run': 'true' });
    expect(r.code).toBe(0);
    expect(r.outputs.status).toBe('DRY_RUN');
    expect(r.summary).toContain('## 📝 movies-gds data drop: DRY_RUN');
    expect(r.stdout).toContain(
      `data/dry/q1.csv: would upload to s3://${twin.bucket}/input_data/dry/q1.csv (dry run)`,
    );
    expect(twin.store.keys(twin.bucket, 'input_data/dry/')).toEqual([]);
  }, 60_000);

  it('wait: false: uploads, does not follow, and says UPLOADED', async () => {
    const { ws, before, after } = repoWith('no-wait', { 'data/nowait/q1.csv': DATA.clean });
    const r = await runAction(ws, 'push', { before, after }, { ...DROP_INPUTS(), wait: 'false' });
    expect(r.code).toBe(0);
    expect(r.outputs.status).toBe('UPLOADED');
    expect(r.summary).toContain('## ⬆️ movies-gds data drop: UPLOADED');
  }, 60_000);

  it('no changed data files: nothing to do, success', async () => {
    const { ws, before, after } = repoWith('nothing', { 'docs/readme.txt': 'x' });
    const r = await runAction(ws, 'push', { before, after }, DROP_INPUTS());
    expect(r.code).toBe(0);
    expect(r.outputs.status).toBe('SUCCEEDED');
    expect(r.summary).toContain('No data files changed.');
  }, 60_000);

  it('missing credentials: one clear sentence, no stack trace', async () => {
    const { ws, before, after } = repoWith('nocreds', { 'data/q1.csv': DATA.clean });
    const r = await runAction(ws, 'push', { before, after }, DROP_INPUTS(), {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SHARED_CREDENTIALS_FILE: join(root, 'none'),
      AWS_CONFIG_FILE: join(root, 'none'),
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.outputs.results!)[0]).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(/^No AWS credentials were found/),
    });
    expect(r.stdout).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('no region: one sentence with the fix, once, before any upload', async () => {
    const { ws, before, after } = repoWith('noregion', {
      'data/a.csv': DATA.clean,
      'data/b.csv': DATA.clean,
    });
    const { region: _region, ...inputs } = DROP_INPUTS();
    const r = await runAction(ws, 'push', { before, after }, inputs, {
      AWS_CONFIG_FILE: join(root, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(root, 'none'),
    });
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toEqual([
      '::error::No AWS region is set: give the region input, or set AWS_REGION (aws-actions/configure-aws-credentials sets it from its aws-region).',
    ]);
    expect(r.stdout).not.toContain('Region is missing');
  }, 60_000);

  it('a Git LFS pointer is refused before anything is uploaded', async () => {
    const { ws, before, after } = repoWith('lfs', {
      'data/big.csv': 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 123\n',
    });
    const r = await runAction(ws, 'push', { before, after }, DROP_INPUTS());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '::error::data/big.csv is a Git LFS pointer, not the data: check out with LFS enabled (actions/checkout with lfs: true).',
    );
  }, 60_000);

  describe('a drop from another source, with its movies.mapping', () => {
    const EXPORT =
      'Title,Release Date,MPAA Rating,Running Time min,Major Genre,IMDB Rating,IMDB Votes,Distributor\n' +
      'Out of Sight,Jun 26 1998,r,2h 3m,Comedy/Crime,7,"53,000",Universal\n' +
      'The Land Girls,Jun 12 1998,R,,,6.1,"1,071",Gramercy\n' +
      'Bathory,sometime in 2008,,,,6.1,"1,446",\n';
    const MAPPING =
      '# The box-office export\n' +
      'release_year: Release Date | year from date "MMM d yyyy"\n' +
      'certificate: MPAA Rating | upper\n' +
      'runtime_minutes: Running Time min | minutes\n' +
      'genres: Major Genre | list "/"\n' +
      'votes: IMDB Votes | number ","\n';

    it('push: uploads the mapping with the drop; the run reads it through that mapping, and the rows load mapped', async () => {
      const { ws, before, after } = repoWith('mapped', {
        'data/box/2024/export.csv': EXPORT,
        'data/box/movies.mapping': MAPPING,
      });
      const r = await runAction(ws, 'push', { before, after }, DROP_INPUTS());
      expect(r.code).toBe(0);
      expect(r.outputs.status).toBe('PARTIAL');
      const [result] = JSON.parse(r.outputs.results!) as {
        executionArn: string;
        mapping: string;
        rowsLoaded: number;
      }[];
      expect(result).toMatchObject({ mapping: 'data/box/movies.mapping', rowsLoaded: 2 });
      expect(r.stdout).toContain(
        `data/box/movies.mapping: uploaded to s3://${twin.bucket}/input_data/box/movies.mapping`,
      );
      // As GitHub shows it: the mapping under the file's name, in the same cell.
      expect(r.summary).toMatch(
        /\| <code>data\S+export\S+<\/code><br><sub>mapped by <code>\S+<\/code><\/sub> \|/,
      );
      expect(renderedText(r.summary)).toContain('data/box/2024/export.csvmapped by data/box/movies.mapping');
      const outcome = JSON.parse(twin.stepFunctions.get(result!.executionArn).output!) as {
        source: Record<string, string>;
      };
      expect(outcome.source.mapping).toBe('input_data/box/movies.mapping');
      const { rows } = await twin.warehouse.query<Record<string, unknown>>(
        "SELECT movie_id, release_year, certificate, runtime_minutes, genres, votes FROM movies WHERE source_key = 'input_data/box/2024/export.csv' ORDER BY movie_id",
      );
      expect(rows).toEqual([
        {
          movie_id: 'out-of-sight-1998',
          release_year: 1998,
          certificate: 'R',
          runtime_minutes: 123,
          genres: 'Comedy, Crime',
          votes: 53000,
        },
        {
          movie_id: 'the-land-girls-1998',
          release_year: 1998,
          certificate: 'R',
          runtime_minutes: null,
          genres: null,
          votes: 1071,
        },
      ]);
    }, 90_000);

    it('push of a changed mapping alone drops again the files it maps; a bad one is refused before any upload', async () => {
      const { ws, after } = repoWith('remapped', {
        'data/box/2024/export.csv': EXPORT,
        'data/box/movies.mapping': MAPPING,
        'data/other/q1.csv': DATA.clean,
      });
      const git = (...args: string[]): string =>
        execFileSync('git', args, { cwd: ws, encoding: 'utf8' }).trim();
      /** Commits a new version of the mapping alone and runs the Action for the push since `after`. */
      const pushMapping = (text: string): Promise<ActionRun> => {
        writeFileSync(join(ws, 'data/box/movies.mapping'), text);
        git('commit', '-qam', 'change the mapping');
        return runAction(ws, 'push', { before: after, after: git('rev-parse', 'HEAD') }, DROP_INPUTS());
      };
      const r = await pushMapping(`${MAPPING}director: Distributor\n`);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.outputs.results!) as { file: string }[]).map((x) => x.file)).toEqual([
        'data/box/2024/export.csv',
      ]);

      const uploads = twin.store.keys(twin.bucket, 'input_data/box/').map((m) => m.etag);
      const bad = await pushMapping(`${MAPPING}director: Distributor | upper "x"\n`);
      expect(bad.code).toBe(1);
      expect(bad.outputs.status).toBe('FAILED');
      expect(renderedText(bad.summary)).toContain(
        'data/box/movies.mapping:7: the transform upper takes no argument',
      );
      expect(twin.store.keys(twin.bucket, 'input_data/box/').map((m) => m.etag)).toEqual(uploads);
    }, 90_000);
  });

  it('pull_request: validates the PR’s changed files (listed through the paginated API), annotates and comments', async () => {
    const ws = join(root, 'pr');
    mkdirSync(join(ws, 'data', '2024'), { recursive: true });
    copyFileSync('data/clean/movies_2024_q1.csv', join(ws, 'data/2024/clean.csv'));
    copyFileSync('data/defects/movies_2024_q2.csv', join(ws, 'data/2024/defects.csv'));
    const r = await runAction(
      ws,
      'pull_request',
      { pull_request: { number: 7 } },
      { 'github-token': 'ghs_x' },
      { GITHUB_SHA: 'a'.repeat(40) },
    );
    expect(r.code).toBe(0);
    expect(r.outputs.status).toBe('PARTIAL');
    expect(JSON.parse(r.outputs.results!).map((x: { file: string }) => x.file)).toEqual([
      'data/2024/clean.csv',
      'data/2024/defects.csv',
    ]);
    expect(r.stdout).toContain(
      '::warning title=Row would be quarantined,file=data/2024/defects.csv,line=4::',
    );
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('movies-gds data check: PARTIAL');
  }, 60_000);
});

/** The lines the runner reads from stdout: it ends a line at LF, CR or CRLF. */
const runnerLines = (stdout: string): string[] => stdout.split(/\r\n|\r|\n/);

/** Markdown where no name writes its own line, heading, mention or HTML. */
function expectInertMarkdown(markdown: string): void {
  // Only line feeds end lines; no other control character or separator is left.
  expect(markdown).not.toMatch(/(?!\n)[\p{Cc}\u2028\u2029]/u);
  expect(markdown).not.toMatch(/(^|[^\\])<img/);
  expect(markdown).not.toMatch(/@octocat/);
  for (const line of markdown.split('\n').filter((l) => l.startsWith('#')))
    expect(line).toMatch(/^(## .+ movies-gds data (check|drop): FAILED|### <code>)/);
  // Each name is shown whole, its controls as escapes, in one cell of its own row.
  expect(markdown).toContain(
    '| <code>data\\/x\\\\n\\:\\:error title\\=Injected\\:\\:Fake\\.csv</code> | 💥 FAILED |',
  );
  expect(markdown).toContain(
    '| <code>data\\/y\\\\r\\#\u200b\\#\u200b heading \\@\u200boctocat \\<img src\\=x\\>\\.csv</code> | 💥 FAILED |',
  );
}

describe('the bundled Action and hostile file names', () => {
  function hostileWorkspace(name: string): string {
    const ws = join(root, name);
    mkdirSync(join(ws, 'data'), { recursive: true });
    for (const file of HOSTILE_NAMES) writeFileSync(join(ws, file), DATA.clean);
    writeFileSync(join(ws, 'data/ok.csv'), DATA.clean);
    return ws;
  }

  it('pull_request: refuses each name with a control character, writes no workflow command of its own, shows the names inert', async () => {
    const ws = hostileWorkspace('hostile-pr');
    const r = await runAction(
      ws,
      'pull_request',
      { pull_request: { number: 8 } },
      { 'github-token': 'ghs_x' },
      { GITHUB_SHA: 'b'.repeat(40) },
    );
    const commands = runnerLines(r.stdout).filter((l) => /^\s*(::|##\[)/.test(l));
    expect(commands.filter((l) => !/^::(add-mask|error)::/.test(l))).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'data/x\\n::error title=Injected::Fake.csv: FAILED — data/x\\n::error title=Injected::Fake.csv: the file name has a control character (U+000A at character 7), which logs and reports cannot show as it is; rename the file\n',
    );
    expect(r.stdout).toContain('data/ok.csv: SUCCEEDED\n');
    const results = JSON.parse(r.outputs.results!) as { file: string; status: string }[];
    expect(results.map((x) => [x.file, x.status])).toEqual([
      ['data/ok.csv', 'SUCCEEDED'],
      [HOSTILE_NAMES[0], 'FAILED'],
      [HOSTILE_NAMES[1], 'FAILED'],
    ]);
    expectInertMarkdown(r.summary);
    expect(hostileComments).toHaveLength(1);
    expectInertMarkdown(hostileComments[0]!);
  }, 60_000);

  it('push: uploads none of them and reports them inert', async () => {
    const ws = hostileWorkspace('hostile-push');
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: ws, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'CI');
    git('commit', '-q', '--allow-empty', '-m', 'start');
    const before = git('rev-parse', 'HEAD');
    git('add', ...HOSTILE_NAMES);
    git('commit', '-qm', 'drop');
    const r = await runAction(ws, 'push', { before, after: git('rev-parse', 'HEAD') }, DROP_INPUTS());
    const commands = runnerLines(r.stdout).filter((l) => /^\s*(::|##\[)/.test(l));
    expect(commands.filter((l) => !/^::(add-mask|error)::/.test(l))).toEqual([]);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.outputs.results!) as { status: string; executionArn?: string }[];
    expect(results.map((x) => [x.status, x.executionArn])).toEqual([
      ['FAILED', undefined],
      ['FAILED', undefined],
    ]);
    expectInertMarkdown(r.summary);
  }, 60_000);
});
