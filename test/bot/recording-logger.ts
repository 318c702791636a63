/** A Bolt logger that keeps every line, whatever the level the app sets, for tests to assert on. */
import { LogLevel, type Logger } from '@slack/bolt';
import { format } from 'node:util';

export interface RecordingLogger extends Logger {
  readonly lines: { level: LogLevel; text: string }[];
  /** The lines at `level`, as text. */
  at(level: LogLevel): string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: { level: LogLevel; text: string }[] = [];
  const record =
    (level: LogLevel) =>
    (...msg: unknown[]): void =>
      void lines.push({ level, text: format(...msg) });
  let level = LogLevel.DEBUG;
  return {
    lines,
    at: (l) => lines.filter((x) => x.level === l).map((x) => x.text),
    debug: record(LogLevel.DEBUG),
    info: record(LogLevel.INFO),
    warn: record(LogLevel.WARN),
    error: record(LogLevel.ERROR),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}
