/** A task failure with the error name Step Functions would report (its Error; the message is its Cause). */
export function taskError(error: string, cause: string): Error {
  return Object.assign(new Error(cause), { name: error });
}
