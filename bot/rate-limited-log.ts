/**
 * At most one line per kind a minute, so a flood (forged SNS messages, say) cannot fill the log;
 * the next line of that kind says how many were left out.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  log(kind: string, line: string): void {
    const at = this.now();
    const last = this.last.get(kind);
    if (last && at - last.at < this.windowMs) {
      last.suppressed++;
      return;
    }
    this.last.set(kind, { at, suppressed: 0 });
    this.write(
      last?.suppressed ? `${line} (${last.suppressed} more like it not logged since the last one)` : line,
    );
  }
}
