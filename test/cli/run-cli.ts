/** The `movies` CLI run in this process, as a user would see it: exit code, stdout, stderr. */
import { main } from '../../cli/cli.ts';

export async function movies(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}
