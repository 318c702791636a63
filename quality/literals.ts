/**
 * The shapes Glue's lexer gives dates, times and time zones, and whether a value of that shape
 * is a real one. Pure checks on text; the parser says where a bad one is.
 */

/** Glue's DATE token: "2024-01-31". */
export const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
/** Glue's TIME and MIL_TIME tokens: "9:30 AM" (one space, capitals) or "21:45". */
export const TIME_SHAPE = /^(\d{1,2}:\d{2} (AM|PM)|\d{2}:\d{2})$/;

/** A DATE_SHAPE text that names a day of the calendar (so not "2023-02-29"). */
export function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return days !== undefined && d >= 1 && d <= days;
}

/** A TIME_SHAPE text that names a time of day (so not "13:00 PM" or "24:00"). */
export function isClockTime(text: string): boolean {
  const [, h, m, half] = /^(\d{1,2}):(\d{2})(?: (AM|PM))?$/.exec(text)!;
  const hour = Number(h);
  if (Number(m) > 59) return false;
  return half ? hour >= 1 && hour <= 12 : hour <= 23;
}

/** An IANA zone name or a UTC offset, as Java's ZoneId reads them. */
export function isTimeZone(name: string): boolean {
  if (/^(Z|(UTC|GMT|UT)?[+-]\d{1,2}(:?\d{2})?)$/.test(name)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
