/**
 * Which SNS messages were handled, by MessageId. SNS delivers at least once: a repeat of one
 * handled is skipped; one that arrives while the first delivery is still being handled is told
 * apart (IN_PROGRESS), since that first delivery may yet fail. A failure is forgotten, so SNS's
 * retry gets through. The latest 10,000 are kept, and given a store, written to it as each is
 * handled and read from it at start (so a restarted HTTP bot still knows them).
 */
export const REPEATED = Symbol('repeated');
export const IN_PROGRESS = Symbol('in-progress');

/** Where handled ids outlive the process: each with when it was handled. */
export interface SeenStore {
  load(): Iterable<readonly [string, number]>;
  save(entries: Iterable<readonly [string, number]>): void;
}

export class MessageMemory {
  /** Handled ids, oldest first, with when each was handled. */
  private readonly seen = new Map<string, number>();
  /** Being handled now: SNS may redeliver before the first delivery is done. */
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly capacity = 10_000,
    private readonly store?: SeenStore,
  ) {
    for (const [id, at] of store?.load() ?? []) this.remember(id, at);
  }

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
    this.remember(messageId, Date.now());
    this.store?.save(this.seen);
  }

  private remember(messageId: string, at: number): void {
    this.seen.delete(messageId);
    this.seen.set(messageId, at);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
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
