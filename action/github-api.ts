/** GitHub's REST API through @actions/github's Octokit (GITHUB_API_URL honoured), as the narrow interfaces the Action uses. */
import * as github from '@actions/github';
import type { PullRequestFiles } from './changed-files.ts';
import type { IssueComments } from './pr-comment.ts';

export function githubApi(token: string): { prFiles: PullRequestFiles; comments: IssueComments } {
  const octokit = github.getOctokit(token);
  const { owner, repo } = github.context.repo;
  return {
    prFiles: (pull_number) =>
      octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number, per_page: 100 }),
    comments: {
      listComments: (issue_number) =>
        octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 }),
      createComment: async (issue_number, body) =>
        void (await octokit.rest.issues.createComment({ owner, repo, issue_number, body })),
      updateComment: async (comment_id, body) =>
        void (await octokit.rest.issues.updateComment({ owner, repo, comment_id, body })),
      pullRequestsOfCommit: async (commit_sha) =>
        (await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha })).data,
    },
  };
}
