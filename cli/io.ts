/** Where a command writes: the process's streams, or a test's buffers. */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}
