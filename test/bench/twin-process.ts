/** The local twin as a user runs it, `movies local` in a process of its own: its endpoint once it listens. */
import { spawn, type ChildProcess } from 'node:child_process';

export async function startTwinProcess(
  dataDir: string,
): Promise<{ process: ChildProcess; endpoint: string }> {
  const twin = spawn(process.execPath, ['bin/movies.js', 'local', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    twin.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /local twin on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    twin.on('exit', (code) => reject(new Error(`the twin exited with ${code}`)));
  });
  return { process: twin, endpoint };
}
