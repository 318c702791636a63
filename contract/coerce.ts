/**
 * Text → typed value, one function per contract coercion. Each returns the value, null for a
 * blank cell, or INVALID; the caller turns INVALID into a row-level reason.
 */
import type { Coercion } from './contract.ts';

export const INVALID = Symbol('invalid');
export type Coerced = string | number | null | typeof INVALID;

const WHOLE = /^[+-]?\d+$/;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const MINUTES = /^(\d+)\s*(m|min|mins|minutes?)?\.?$/i;
const HOURS_MINUTES = /^(\d+)\s*h(?:ours?|rs?)?\s*(?:(\d+)\s*(?:m|min|mins|minutes?)?)?$/i;

/** A whole number, with or without thousands separators; INVALID if it is not one. */
function wholeNumber(text: string): number | typeof INVALID {
  // Fast path: plain digits, which is nearly every cell.
  let n = 0;
  let i = 0;
  for (; i < text.length && i < 15; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  if (i === text.length && i > 0) return n;
  if (WHOLE.test(text)) return safe(Number(text));
  if (GROUPED.test(text)) return safe(Number(text.replace(/,/g, '')));
  return INVALID;
}

function safe(n: number): number | typeof INVALID {
  return Number.isSafeInteger(n) ? n : INVALID;
}

const COERCIONS: Record<Coercion, (text: string) => Coerced> = {
  text: (t) => t,
  genres: (t) => {
    const parts = t
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g.length > 0);
    return parts.length ? parts.join(', ') : null;
  },
  year: (t) => (/^\d{4}$/.test(t) ? Number(t) : INVALID),
  integer: wholeNumber,
  decimal: (t) => (DECIMAL.test(t) ? Number(t) : INVALID),
  minutes: (t) => {
    const m = MINUTES.exec(t);
    if (m) return safe(Number(m[1]));
    const hm = HOURS_MINUTES.exec(t);
    return hm ? safe(Number(hm[1]) * 60 + Number(hm[2] ?? 0)) : INVALID;
  },
  money: (t) => {
    const plain = t.replace(/^\$\s*/, '').replace(/\.\d{1,2}$/, '');
    return wholeNumber(plain);
  },
};

/** Coerce one cell. Surrounding whitespace is ignored and a blank cell is NULL for every kind. */
export function coerce(coercion: Coercion, text: string): Coerced {
  const t = text.trim();
  return t.length === 0 ? null : COERCIONS[coercion](t);
}

/** What a valid cell of this kind looks like, for error messages. */
export const EXPECTED: Record<Coercion, string> = {
  text: 'text',
  genres: 'a comma-separated list of genres',
  year: 'a four-digit year',
  integer: 'a whole number',
  decimal: 'a number',
  minutes: 'a duration like "142 min"',
  money: 'a dollar amount like "28,341,469"',
};

/**
 * The derived movie_id: the title folded to a lowercase slug (accents dropped, any run of
 * non-alphanumerics → "-") plus the release year, e.g. "the-godfather-1972". Deterministic,
 * so a re-drop updates the same row, and two films sharing a title stay two rows by year.
 */
export function deriveMovieId(title: string, year: number): string {
  let slug = '';
  // Fast path for plain ASCII titles, which are nearly all of them.
  let ascii = true;
  for (let i = 0; i < title.length; i++) {
    if (title.charCodeAt(i) > 127) {
      ascii = false;
      break;
    }
  }
  const source = ascii ? title.toLowerCase() : title.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  let dash = false;
  for (const ch of source) {
    const c = ch.charCodeAt(0);
    const alnum = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (!ascii && /[\p{L}\p{N}]/u.test(ch));
    if (alnum) {
      if (dash && slug.length > 0) slug += '-';
      slug += ch;
      dash = false;
    } else dash = true;
  }
  return `${slug || 'untitled'}-${year}`;
}
