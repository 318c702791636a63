/**
 * Answers, kept until the views change. Concurrent askers of the same question share one query
 * (fifty people typing `/movies top-rated` at once cost the warehouse one statement).
 * Entries also expire after a while: on Lambda, only the instance that receives a success outcome
 * hears that the views changed.
 */
interface Entry<T> {
  readonly value: Promise<T>;
  readonly expires: number;
  /** Set once the load succeeded: what peek() can hand out without waiting. */
  settled?: { readonly value: T };
}

export class AnswerCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Each distinct question is an entry (`genre <anything>`): the oldest go first past this. */
    private readonly maxEntries = 1000,
  ) {}

  /** The kept answer for `key`, or the one `load` gives (a failed load is not kept). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    const value = load();
    const entry: Entry<T> = { value, expires: this.now() + this.ttlMs };
    this.entries.delete(key); // re-inserted last: Map order is age order
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    value.then(
      (v) => void (entry.settled = { value: v }),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return value;
  }

  /** The kept answer for `key` when it is loaded and fresh; undefined when it would need work. */
  peek(key: string): T | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expires > this.now() ? hit.settled?.value : undefined;
  }

  /** A load changed the views: every kept answer is stale. */
  clear(): void {
    this.entries.clear();
  }
}
