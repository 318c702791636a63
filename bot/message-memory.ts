/**
 * Which SNS messages were handled, by MessageId. SNS delivers at least once: a repeat of one
 * handled is skipped; one that arrives while the first delivery is still being handled is told
 * apart (IN_PROGRESS), since that first delivery may yet fail. A failure is forgotten, so SNS's
 * retry gets through. The latest 10,000 are kept.
 */
export const REPEATED = Symbol('repeated');
export const IN_PROGRESS = Symbol('in-progress');

export class MessageMemory {
  private readonly seen = new Set<string>();
  /** Being handled now: SNS may redeliver before the first delivery is done. */
  private readonly inProgress = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** Claims the message: false if it was handled or is being handled. Then call handled() or failed(). */
  begin(messageId: string): boolean {
    if (this.state(messageId)) return false;
    this.inProgress.add(messageId);
    return true;
  }

  /** What is known of the message: handled, being handled, or nothing. */
  state(messageId: string): typeof REPEATED | typeof IN_PROGRESS | undefined {
    if (this.seen.has(messageId)) return REPEATED;
    if (this.inProgress.has(messageId)) return IN_PROGRESS;
    return undefined;
  }

  /** The message was handled: a redelivery of it is skipped from now on. */
  handled(messageId: string): void {
    this.inProgress.delete(messageId);
    this.seen.add(messageId);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value!);
  }

  /** Handling it failed: SNS's retry of it must get through. */
  failed(messageId: string): void {
    this.inProgress.delete(messageId);
  }

  /**
   * Runs `handle` unless the message was handled (then REPEATED) or is being handled (then
   * IN_PROGRESS: the caller should have SNS retry later); a throw is forgotten.
   */
  async once<T>(
    messageId: string,
    handle: () => Promise<T>,
  ): Promise<T | typeof REPEATED | typeof IN_PROGRESS> {
    const known = this.state(messageId);
    if (known) return known;
    this.inProgress.add(messageId);
    try {
      const result = await handle();
      this.handled(messageId);
      return result;
    } catch (err) {
      this.failed(messageId);
      throw err;
    }
  }
}
