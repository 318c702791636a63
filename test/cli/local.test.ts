/**
 * `movies local`, run as a user runs it: a warehouse that cannot open is one sentence and exit
 * 2; a SIGTERM stops it even while a statement runs.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { DescribeStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../local-aws/warehouse.ts';
import { clients } from '../local-aws/twin-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'movies-local-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** `movies local` on a data directory; `listening` resolves with its endpoint once it listens. */
function local(dataDir: string) {
  const child = spawn(process.execPath, ['bin/movies.js', 'local', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /local twin on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then((r) => reject(new Error(`movies local exited with ${r.code}: ${r.stderr}`)));
  });
  listening.catch(() => undefined); // awaited only by the tests that expect it to listen
  return { child, exited, listening };
}

describe('movies local', () => {
  it('says in one sentence that the warehouse cannot open, and what to do, and exits 2', async () => {
    const dataDir = join(dir, 'corrupt');
    await (await Warehouse.open(join(dataDir, 'warehouse'))).close();
    writeFileSync(join(dataDir, 'warehouse', 'PG_VERSION'), '99\n');
    const { code, stderr } = await local(dataDir).exited;
    expect(code).toBe(2);
    const lines = stderr.split('\n').filter((l) => l && !/Warning|warning|node --trace/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(
        /^movies: The warehouse in .*corrupt\/warehouse cannot be opened \(.+\); move .*corrupt aside or pass another --data-dir to start with a fresh one\.$/,
      ),
    ]);
  });

  it('prints the environment and an alias for both AWS CLIs', async () => {
    const twin = local(join(dir, 'env'));
    const endpoint = await twin.listening;
    await new Promise((r) => setTimeout(r, 100)); // the rest of the banner
    twin.child.kill('SIGTERM');
    const { stdout } = await twin.exited;
    for (const line of [
      `  export AWS_ENDPOINT_URL=${endpoint}`,
      '  export AWS_REGION=us-east-1',
      '  export AWS_DEFAULT_REGION=us-east-1',
      `  alias awslocal='aws --endpoint-url ${endpoint}'`,
    ])
      expect(stdout.split('\n')).toContain(line);
  });

  it("says the port is taken, and that LocalStack's default is the same", async () => {
    // 4566 held here, unless something on this machine holds it already: taken either way.
    const holder = createServer();
    await new Promise<void>((resolve) =>
      holder.once('error', () => resolve()).listen(4566, '127.0.0.1', resolve),
    );
    try {
      const child = spawn(process.execPath, ['bin/movies.js', 'local', '--data-dir', join(dir, 'taken')]);
      children.push(child);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code).toBe(2);
      expect(stderr).toContain(
        'movies: Port 4566 is already in use (LocalStack listens there too); stop what uses it or pick another with --port.\n',
      );
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('stops on SIGTERM even while a statement runs', async () => {
    const twin = local(join(dir, 'busy'));
    const c = clients(await twin.listening, 'us-east-1');
    const { Id } = await c.redshift.send(
      new ExecuteStatementCommand({
        WorkgroupName: 'movies',
        Database: 'movies',
        Sql: 'SELECT pg_sleep(600)',
      }),
    );
    while ((await c.redshift.send(new DescribeStatementCommand({ Id }))).Status !== 'STARTED')
      await new Promise((r) => setTimeout(r, 10));
    twin.child.kill('SIGTERM');
    const { code, stdout } = await twin.exited;
    expect(code).toBe(0);
    expect(stdout).toContain('Stopping');
  });
});
