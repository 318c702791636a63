import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedDataFiles, type EventContext } from '../../action/changed-files.ts';
import { phaseDiagram, renderDropSummary } from '../../action/drop-report.ts';
import { STATES } from '../../contract/pipeline-states.ts';
import { readInputs } from '../../action/inputs.ts';
import { MARKER, pullRequestOfCommit, upsertComment, type IssueComments } from '../../action/pr-comment.ts';
import { code, md } from '../../action/report.ts';
import { inert } from '../../contract/inert-text.ts';

/** A typed fake of the slice of GitHub's API the Action uses. */
function fakeGitHub(
  prs: { number: number; merged_at?: string | null; state: string }[] = [],
): IssueComments & { comments: { id: number; body: string }[] } {
  const comments: { id: number; body: string }[] = [{ id: 1, body: 'an unrelated comment' }];
  return {
    comments,
    listComments: async () => comments,
    createComment: async (_pr, body) => void comments.push({ id: comments.length + 1, body }),
    updateComment: async (id, body) => void (comments.find((c) => c.id === id)!.body = body),
    pullRequestsOfCommit: async () => prs,
  };
}

describe('inputs', () => {
  it('have defaults and say what is wrong with one sentence', () => {
    expect(readInputs(() => '')).toMatchObject({
      mode: 'auto',
      path: 'data/**/*.csv',
      prefix: 'input_data/',
      wait: true,
      timeoutMinutes: 30,
      pollIntervalSeconds: 5,
      failOn: 'quality',
      concurrency: 4,
      dryRun: false,
    });
    const bad =
      (name: string, value: string): (() => unknown) =>
      () =>
        readInputs((n) => (n === name ? value : ''));
    expect(bad('mode', 'deploy')).toThrow('Input mode must be one of auto, validate, drop; got "deploy".');
    expect(bad('wait', 'maybe')).toThrow('Input wait must be true or false; got "maybe".');
    expect(bad('timeout-minutes', '-1')).toThrow(
      'Input timeout-minutes must be a number from 0.05 to 720; got "-1".',
    );
    expect(bad('state-machine-arn', 'movies')).toThrow(
      'Input state-machine-arn is not a Step Functions state machine ARN: "movies".',
    );
    expect(bad('endpoint', 'localhost:4566')).toThrow(
      'Input endpoint must be an http(s) URL; got "localhost:4566".',
    );
  });
});

describe('the sticky PR comment', () => {
  it('is created once, then updated in place, never duplicated', async () => {
    const gh = fakeGitHub();
    expect(await upsertComment(gh, 7, 'first')).toBe('created');
    expect(await upsertComment(gh, 7, 'second')).toBe('updated');
    expect(gh.comments.map((c) => c.body)).toEqual(['an unrelated comment', `${MARKER}\nsecond`]);
  });

  it('respects GitHub’s size limit', async () => {
    const gh = fakeGitHub();
    await upsertComment(gh, 7, 'x'.repeat(100_000));
    expect(gh.comments[1]!.body.length).toBeLessThanOrEqual(65_536);
    expect(gh.comments[1]!.body).toMatch(/cut to fit GitHub's comment limit\.$/);
  });

  it('on push goes to the PR the commit was merged from', async () => {
    expect(
      await pullRequestOfCommit(
        fakeGitHub([
          { number: 3, state: 'open' },
          { number: 9, merged_at: '2026-01-01', state: 'closed' },
        ]),
        'abc',
      ),
    ).toBe(9);
    expect(await pullRequestOfCommit(fakeGitHub([]), 'abc')).toBeUndefined();
  });
});

describe('untrusted text', () => {
  it('in a log line: no line break, no hidden character, no workflow command', () => {
    expect(inert('a\nb\rc\td\u0085e\u2028f\u202eg\u0000h')).toBe(
      'a\\nb\\rc\\td\\u0085e\\u2028f\\u202Eg\\u0000h',
    );
    expect(inert('::error::x.csv: FAILED')).toBe('\\u003A:error::x.csv: FAILED');
    expect(inert('  ##[error]x')).toBe('  \\u0023#[error]x');
    expect(inert('data/a::b.csv ## c')).toBe('data/a::b.csv ## c');
  });

  it('in Markdown: every control character and separator escaped, no HTML, mention, reference, link or table break', () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      if (/[\p{Cc}\u2028\u2029]/u.test(ch))
        expect([c, md(`a${ch}b`)]).toEqual([c, expect.not.stringContaining(ch)]);
    }
    const hostile = 'x\r## heading @octocat #7 <img src=x> [a](b) a\\|b `c` https://e.vil www.e.vil &#64;';
    const shown = md(hostile);
    expect(shown).not.toMatch(/[\r\n]|(^|[^\\])[<[`]|@octocat|#7|https:\/\/|www\./);
    expect(shown.replaceAll('&#124;', '')).not.toMatch(/(^|[^\\])&/); // the pipe's entity is the only one
    expect(shown.split('|')).toHaveLength(1);
    // A code span cannot escape a pipe after a backslash nor a backtick run: <code> can.
    expect(code('a\\|b `c`')).toBe('<code>a\\\\&#124;b \\`c\\`</code>');
  });
});

describe('the phase diagram of a drop', () => {
  const S = STATES;
  const crawl = [S.startInputCrawler, 'Wait for input crawler', S.getInputCrawler, 'Input crawler finished?'];
  const happy = [
    S.describeDrop,
    ...crawl,
    S.startWarehouseCrawler,
    S.getWarehouseCrawler,
    S.runEtl,
    S.readResults,
  ];
  const loaded = [
    ...happy,
    'Results complete?',
    'Quality gate passed?',
    S.refreshViews,
    'Wait for refresh',
    S.getRefresh,
    S.copyToArchive,
    S.deleteInput,
    'Build success outcome',
    S.publishSuccess,
    'Done',
  ];
  const rejected = [
    ...happy,
    'Results complete?',
    'Quality gate passed?',
    S.buildQualityOutcome,
    S.copyToArchive,
    S.publishQuality,
    'Quality gate failed',
  ];
  const crawlerTimeout = [
    S.describeDrop,
    ...crawl,
    ...crawl,
    'Record crawler timeout',
    S.buildFailureOutcome,
    S.publishFailure,
    'Pipeline failed',
  ];

  it('draws the phases once, left to right, and where each execution left the happy path', () => {
    const chart = phaseDiagram([
      { path: loaded, status: 'SUCCEEDED' },
      { path: loaded, status: 'PARTIAL' },
      { path: rejected, status: 'QUALITY_FAILED' },
      { path: crawlerTimeout, status: 'FAILED' },
      { path: [S.describeDrop, S.startInputCrawler], status: 'TIMEOUT' },
    ]);
    expect(chart.split('\n')).toEqual([
      '```mermaid',
      'flowchart LR',
      '  p0["Describe"] --> p1["Crawl"] --> p2["Check and load · 3 of 5"] --> p3["Refresh views · 2 of 5"] --> p4["Archive · 2 of 5"] --> p5["Publish · 2 of 5"]',
      '  p2 -.->|"1 rejected"| quality(["Quality alert"])',
      '  p1 -.->|"1 failed"| failure(["Failure alert"])',
      '  p1 -.->|"1 not finished"| waiting(["Not finished"])',
      '  classDef ok fill:#d1f7d6,stroke:#1a7f37',
      '  classDef bad fill:#ffd8d3,stroke:#cf222e',
      '  classDef wait fill:#fff8c5,stroke:#9a6700',
      '  class p0,p1,p2,p3,p4,p5 ok',
      '  class quality,failure bad',
      '  class waiting wait',
      '```',
    ]);
  });

  it('stays one line of phases however many states and files there are', () => {
    const chart = phaseDiagram(
      Array.from({ length: 20 }, () => ({ path: loaded, status: 'SUCCEEDED' as const })),
    );
    expect(chart.split('\n')).toHaveLength(8);
    expect(chart).not.toContain(' of 20');
  });

  it('the drop summary shows one diagram and each path as text, collapsed', () => {
    const results = ['a', 'b', 'c', 'd'].map((f, i) => ({
      file: `data/${f}.csv`,
      key: `input_data/${f}.csv`,
      status: i === 2 ? ('QUALITY_FAILED' as const) : ('SUCCEEDED' as const),
      path: i === 2 ? rejected : loaded,
    }));
    const summary = renderDropSummary(results, 'QUALITY_FAILED');
    expect(summary.match(/```mermaid/g)).toHaveLength(1);
    expect(summary).toContain('<details><summary>The 15 states its execution entered</summary>');
    expect(summary).toContain('p2 -.->|"1 rejected"| quality(["Quality alert"])');
  });
});

describe('changed files on push', () => {
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  const context = (before: string, after: string): EventContext => ({
    eventName: 'push',
    payload: { before, after },
    repo: { owner: 'acme', repo: 'movies-data' },
  });

  function origin(): { dir: string; commits: string[] } {
    const dir = mkdtempSync(join(tmpdir(), 'movies-origin-'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.email', 'ci@example.com');
    git(dir, 'config', 'user.name', 'CI');
    git(dir, 'config', 'uploadpack.allowReachableSHA1InWant', 'true');
    const commits: string[] = [];
    const commit = (files: Record<string, string | null>): void => {
      for (const [f, content] of Object.entries(files)) {
        if (content === null) git(dir, 'rm', '-q', f);
        else {
          mkdirSync(join(dir, f, '..'), { recursive: true });
          writeFileSync(join(dir, f), content);
          git(dir, 'add', f);
        }
      }
      git(dir, 'commit', '-qm', `c${commits.length}`);
      commits.push(git(dir, 'rev-parse', 'HEAD'));
    };
    commit({ 'data/a.csv': 'title,release_year,imdb_rating\nA,2000,8\n', 'data/old.csv': 'x\n' });
    commit({
      'data/b.csv': 'title,release_year,imdb_rating\nB,2001,8\n',
      'data/a.csv': 'title,release_year,imdb_rating\nA,2000,9\n',
      'data/old.csv': null,
      'notes.md': 'n',
    });
    commit({ 'data/c.csv': 'title,release_year,imdb_rating\nC,2002,8\n' });
    return { dir, commits };
  }

  it('takes the added and modified files between before and after, not deleted ones', async () => {
    const { dir, commits } = origin();
    try {
      expect(
        await changedDataFiles(dir, 'data/**/*.csv', context(commits[0]!, commits[2]!), undefined),
      ).toEqual(['data/a.csv', 'data/b.csv', 'data/c.csv']);
      expect(
        await changedDataFiles(dir, 'data/**/*.csv', context(commits[1]!, commits[2]!), undefined),
      ).toEqual(['data/c.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('handles a new branch (all-zero before) and a deleted one (all-zero after)', async () => {
    const { dir, commits } = origin();
    try {
      expect(
        await changedDataFiles(dir, 'data/**/*.csv', context('0'.repeat(40), commits[1]!), undefined),
      ).toEqual(['data/a.csv', 'data/b.csv']);
      expect(
        await changedDataFiles(dir, 'data/**/*.csv', context(commits[1]!, '0'.repeat(40)), undefined),
      ).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fetches the commit before the push when the checkout is shallow', async () => {
    const { dir, commits } = origin();
    const clone = mkdtempSync(join(tmpdir(), 'movies-shallow-'));
    try {
      execFileSync('git', ['clone', '-q', '--depth=1', `file://${dir}`, clone]);
      expect(() => git(clone, 'cat-file', '-e', `${commits[0]}^{commit}`)).toThrow();
      expect(
        await changedDataFiles(clone, 'data/**/*.csv', context(commits[0]!, commits[2]!), undefined),
      ).toEqual(['data/a.csv', 'data/b.csv', 'data/c.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('on a pull request asks the API, and keeps only added or changed data files', async () => {
    const { dir } = origin();
    try {
      const files = await changedDataFiles(
        dir,
        'data/**/*.csv',
        {
          eventName: 'pull_request',
          payload: { pull_request: { number: 7 } },
          repo: { owner: 'acme', repo: 'movies-data' },
        },
        async (n) => {
          expect(n).toBe(7);
          return [
            { filename: 'data/a.csv', status: 'modified' },
            { filename: 'data/old.csv', status: 'removed' },
            { filename: 'notes.md', status: 'added' },
          ];
        },
      );
      expect(files).toEqual(['data/a.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
