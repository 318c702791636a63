/**
 * The one sentence a user sees for an AWS SDK error, in every room that calls AWS (the Action,
 * the CLI, the bot): no SDK import, it reads only the error's name, message and status.
 */
/** One sentence for an AWS SDK error (no stack trace): what failed and what to do. */
export function describeAwsError(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'CredentialsProviderError' || /credentials/i.test(e.message ?? ''))
    return "No AWS credentials were found: configure them first (in a workflow, aws-actions/configure-aws-credentials with the stack's GitHubDropRoleArn; in a terminal, AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).";
  if (e.name === 'NoSuchBucket') return `The bucket does not exist: ${e.message ?? ''}`.trim();
  if (e.name === 'AccessDenied' || e.$metadata?.httpStatusCode === 403)
    return `AWS refused the request (access denied): ${e.message ?? ''}`.trim();
  // The SDK sometimes wraps the socket error ("AWS SDK error wrapper for Error: connect ECONNREFUSED …").
  const refused = /connect ECONNREFUSED \S+/.exec(e.message ?? '');
  if ((e as { code?: string }).code === 'ECONNREFUSED' || refused)
    return `Nothing answers at the endpoint (${refused?.[0] ?? e.message ?? ''}); is the local twin running?`;
  const unresolved = /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (\S+)/.exec(e.message ?? '');
  if (unresolved)
    return `${unresolved[1]} could not be reached (its name does not resolve): check your network and the region; for the local twin, set AWS_ENDPOINT_URL.`;
  return `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}
