/**
 * Answers, kept until the views change. Concurrent askers of the same question share one query
 * (fifty people typing `/movies top-rated` at once cost the warehouse one statement).
 * Entries also expire after a while: on Lambda, only the instance that receives a success outcome
 * hears that the views changed.
 */
export class AnswerCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expires: number }>();

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
    const entry = { value, expires: this.now() + this.ttlMs };
    this.entries.delete(key); // re-inserted last: Map order is age order
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** A load changed the views: every kept answer is stale. */
  clear(): void {
    this.entries.clear();
  }
}
