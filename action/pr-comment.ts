/**
 * One sticky PR comment per workflow: found by a hidden marker, updated in place, never
 * duplicated. On push, the PR is the one the commit was merged from.
 */
export const MARKER = '<!-- movies-gds:data-check -->';
const MAX_COMMENT = 65_000;

/** The slice of GitHub's REST API this needs (Octokit's shape), so tests fake only GitHub. */
export interface IssueComments {
  listComments(pr: number): Promise<{ id: number; body?: string | null }[]>;
  createComment(pr: number, body: string): Promise<void>;
  updateComment(id: number, body: string): Promise<void>;
  pullRequestsOfCommit(sha: string): Promise<{ number: number; merged_at?: string | null; state: string }[]>;
}

export async function upsertComment(
  api: IssueComments,
  pr: number,
  markdown: string,
): Promise<'created' | 'updated'> {
  const body = `${MARKER}\n${markdown.length > MAX_COMMENT ? `${markdown.slice(0, MAX_COMMENT - 60)}\n\n…cut to fit GitHub's comment limit.` : markdown}`;
  const existing = (await api.listComments(pr)).find((c) => c.body?.startsWith(MARKER));
  if (existing) {
    await api.updateComment(existing.id, body);
    return 'updated';
  }
  await api.createComment(pr, body);
  return 'created';
}

/** The PR a pushed commit came from (merged first, then open), if any. */
export async function pullRequestOfCommit(api: IssueComments, sha: string): Promise<number | undefined> {
  const prs = await api.pullRequestsOfCommit(sha);
  return (prs.find((p) => p.merged_at) ?? prs.find((p) => p.state === 'open'))?.number;
}
