/**
 * Random drops for the parity properties: headers drawn from the contract's names and aliases
 * (and their spellings, unknown names, duplicates), cells of every kind, valid and not, quoted
 * every way, with every line ending, and now and then a byte that makes the file unreadable.
 *
 * Characters are those Unicode 14 or earlier assigns (Glue 5 runs Python 3.11, whose
 * unicodedata is Unicode 14; Node's is newer), or unassigned in every version.
 */
import fc from 'fast-check';
import { contractColumnFor, contractJson } from '../../contract/contract.ts';

interface ContractColumn {
  readonly name: string;
  readonly coercion: string;
  readonly aliases: readonly string[];
  readonly required: boolean;
  readonly sqlType: string;
}

export const CONTRACT_COLUMNS = (contractJson() as { inputColumns: ContractColumn[] }).inputColumns;

// --- characters ---

/** Characters where JavaScript and Python are most likely to differ, one string each. */
const TRICKY = [
  // whitespace: JS trim/\s strips these ...
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2007',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u000b',
  '\u000c',
  '\t',
  // ... and not these (Python's str.strip() does strip some)
  '\u0085',
  '\u001c',
  '\u001d',
  '\u001e',
  '\u001f',
  '\u180e',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  // case mapping, normalization, letters and numbers
  'Σ',
  'ς',
  'σ',
  'İ',
  'ı',
  'ß',
  'ẞ',
  'ǅ',
  'ᾼ',
  'ﬁ',
  'K',
  'Å',
  'Ω',
  'ŉ',
  'ΐ',
  'ẛ',
  '①',
  '²',
  'Ⅻ',
  '𝟘',
  '٣',
  '१',
  '１',
  '½',
  'é',
  'e\u0301',
  'n\u0303',
  '\u0301',
  '\u0345',
  'Ǆ',
  'ǈ',
  'Ⓐ',
  'ℌ',
  '㎏',
  'ｶ',
  'ﾞ',
  // scripts, emoji, bidi
  '電',
  '影',
  '한',
  'ก',
  'ि',
  'क्ष',
  'ש',
  'ل',
  '\u200f',
  '\u202e',
  '😀',
  '👍🏽',
  '👨‍👩‍👧',
  '🇫🇷',
  '𐍈',
  '\u{10ffff}',
  '\u{e0001}',
];
const ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.!?&$#@=+/\\'():;%*";
const RANGES: readonly [number, number][] = [
  [0x20, 0x7e], // ASCII
  [0xa0, 0x17f], // Latin-1, Latin Extended-A
  [0x300, 0x36f], // combining marks
  [0x391, 0x3c9], // Greek
  [0x400, 0x45f], // Cyrillic
  [0x5d0, 0x5ea], // Hebrew
  [0x627, 0x64a], // Arabic
  [0x905, 0x939], // Devanagari
  [0x1e00, 0x1eff], // Latin Extended Additional
  [0x2000, 0x206f], // punctuation and spaces
  [0x2100, 0x218f], // letterlike symbols, number forms
  [0x3040, 0x30ff], // kana
  [0x4e00, 0x9fa5], // CJK (Unicode 1.1)
  [0xac00, 0xd7a3], // Hangul
  [0xff00, 0xffef], // half- and full-width forms
  [0x1d400, 0x1d7ff], // mathematical alphanumerics (its holes are unassigned everywhere)
  [0x1f300, 0x1f64f], // emoji
];

const char = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...ASCII) },
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...RANGES)
      .chain(([lo, hi]) => fc.integer({ min: lo, max: hi }))
      .map((cp) => String.fromCodePoint(cp)),
  },
  { weight: 1, arbitrary: fc.constantFrom(',', '"', '\n', '\r\n', '\r') },
);
const text = (maxLength = 12): fc.Arbitrary<string> => fc.array(char, { maxLength }).map((cs) => cs.join(''));
const space = fc.oneof(
  { weight: 8, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constantFrom(' ', '  ', '\t', '\u00a0', '\u3000', '\ufeff', '\u2028') },
  { weight: 1, arbitrary: fc.constantFrom('\u0085', '\u001c', '\u200b', '\u180e') },
);
/** A value with (sometimes) whitespace around it, JavaScript's or not. */
const padded = (value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(space, value, space).map(([a, v, b]) => a + v + b);

/** A string of about `bytes` UTF-8 bytes (a few either side of a VARCHAR limit). */
const nearBytes = (limits: readonly number[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...limits),
      fc.integer({ min: -4, max: 4 }),
      fc.constantFrom('x', 'é', '電', '😀', 'e\u0301', ' '),
      fc.constantFrom('', 'x', 'é', '電', '😀'),
    )
    .map(([limit, delta, unit, tail]) => {
      const bytes = Buffer.byteLength(unit);
      return unit.repeat(Math.max(0, Math.floor((limit + delta) / bytes))) + tail;
    });

// --- cells by kind ---

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const sign = fc.constantFrom('', '', '', '-', '+');
const grouped = fc
  .tuple(sign, fc.integer({ min: 1, max: 999 }), fc.array(digits(3, 3), { minLength: 1, maxLength: 6 }))
  .map(([s, head, groups]) => `${s}${head},${groups.join(',')}`);
/** Numbers near the edges: JavaScript's safe integers, the SQL types' ranges, many digits. */
const edgeNumber = fc.constantFrom(
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '-9007199254740991',
  '18014398509481984',
  '32767',
  '32768',
  '-32768',
  '-32769',
  '2147483647',
  '2147483648',
  '-2147483649',
  '3000000000',
  '9223372036854775807',
  '99.94',
  '99.95',
  '99.949999',
  '-99.95',
  '10',
  '10.05',
  '0',
  '-0',
  '00',
  '-0.0',
  '1e3',
  '1E-2',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  '1_000',
  '1 000',
  '1.000,5',
  '٣',
  '１２',
  '²',
  '1'.repeat(400),
  '9'.repeat(4400),
  `${'0'.repeat(4400)}7`,
  `-${'0'.repeat(30)}1`,
  `${'0'.repeat(20)}.5`,
);
const integerCell = fc.oneof(
  digits(1, 20).map(String),
  fc.tuple(sign, digits(1, 18)).map(([s, d]) => s + d),
  grouped,
  fc.constantFrom('1,23', '1,2345', ',123', '123,', '1,,234', '1.0', '12.', 'PG', 'N/A', '-', '+'),
  edgeNumber,
);
const decimalCell = fc.oneof(
  fc
    .tuple(sign, digits(0, 4), fc.constantFrom('.', ''), digits(0, 4))
    .map(([s, a, dot, b]) => s + a + dot + b),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -200, max: 200 }).map(String),
  fc.constantFrom('8,1', '8.1.2', '.', '+.', '-.5', '5.', '+8.', '1e1', '12.5', '0.9', '10.1'),
  edgeNumber,
);
const minutesCell = fc.oneof(
  fc
    .tuple(
      digits(1, 11),
      space,
      fc.constantFrom(
        '',
        'm',
        'min',
        'mins',
        'minute',
        'minutes',
        'Min',
        'MIN',
        'MiNs',
        'mins.',
        'min.',
        '.',
        'ms',
        's',
      ),
    )
    .map(([d, s, u]) => d + s + u),
  fc
    .tuple(
      digits(1, 10),
      space,
      fc.constantFrom('h', 'H', 'hr', 'hrs', 'hour', 'hours', 'Hours', 'hs'),
      space,
      fc.option(digits(1, 4), { nil: '' }),
      space,
      fc.constantFrom('', 'm', 'min', 'mins', 'minutes', 'M', 'min.'),
    )
    .map((parts) => parts.join('')),
  fc.constantFrom(
    '35791394h 7m',
    '35791394h 8m',
    '3000000000 min',
    '1h\u00a05m',
    '1h\u0085 5m',
    '1ｈ',
    '１２０ min',
    'ſ',
  ),
  edgeNumber,
);
const moneyCell = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', '', '$', '$ ', '$\u00a0', '$\u0085', '-$', '$-', 'USD '),
      fc.oneof(grouped, digits(1, 17)),
      fc.constantFrom('', '', '.5', '.50', '.567', '.', ',00'),
    )
    .map((parts) => parts.join('')),
  fc.constantFrom('$', '$.5', '$9,007,199,254,740,993', '28,341,469', '$1,234.56', '€5'),
  edgeNumber,
);
const yearCell = fc.oneof(
  fc.integer({ min: 1850, max: 2150 }).map(String),
  digits(0, 6),
  fc.constantFrom(
    '99',
    '19999',
    '1999.0',
    '١٩٩٩',
    '-1999',
    '+1999',
    '0000',
    'PG',
    '1,999',
    '１９９９',
    '\u00a01999',
  ),
);
const genre = fc.oneof(
  fc.constantFrom(
    'Drama',
    'Crime',
    'Sci-Fi',
    'Film-Noir',
    'Comédie',
    '剧情',
    'Σειρά',
    'G'.repeat(64),
    'G'.repeat(65),
  ),
  text(8),
);
const genresCell = fc.oneof(
  fc
    .tuple(fc.array(padded(genre), { maxLength: 6 }), fc.constantFrom(',', ', ', ' ,', ',,'))
    .map(([gs, sep]) => gs.join(sep)),
  nearBytes([64, 256]).map((g) => `${g}, Drama`),
  fc.integer({ min: 40, max: 60 }).map((n) => Array.from({ length: n }, () => 'Drama').join(',')),
);
const textCell = fc.oneof(
  { weight: 6, arbitrary: text() },
  { weight: 2, arbitrary: nearBytes([32, 256, 512, 1024]) },
  { weight: 1, arbitrary: nearBytes([4096]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('=1+1', '+cmd', '-2', '@SUM(A1)', "'; DROP TABLE movies;--", '""', '"'),
  },
);
const anyCell = fc.oneof(textCell, integerCell, decimalCell, minutesCell, moneyCell, yearCell, genresCell);

/** Cells of each kind that a careful drop would have. */
const VALID: Record<string, fc.Arbitrary<string>> = {
  text: text(),
  year: fc.integer({ min: 1880, max: 2110 }).map(String),
  integer: fc.oneof(
    fc.integer({ min: 0, max: 105 }).map(String),
    fc
      .integer({ min: -5, max: 3_000_000 })
      .map((n) => (n > 999 && n % 2 ? n.toLocaleString('en-US') : String(n))),
  ),
  decimal: fc.integer({ min: 0, max: 110 }).map((n) => (n % 7 ? (n / 10).toFixed(1) : String(n / 10))),
  minutes: fc.oneof(
    fc.integer({ min: 0, max: 1100 }).map((n) => `${n} min`),
    fc.integer({ min: 0, max: 300 }).map(String),
    fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${h}h ${m}m`),
  ),
  money: fc.oneof(
    fc.integer({ min: 0, max: 3_000_000_000 }).map((n) => n.toLocaleString('en-US')),
    fc
      .integer({ min: 0, max: 99_999 })
      .map((n) => `$${n.toLocaleString('en-US')}.${String(n % 100).padStart(2, '0')}`),
  ),
  genres: fc
    .array(fc.constantFrom('Drama', 'Crime', 'Sci-Fi', 'Comédie', 'Film-Noir', '剧情'), {
      minLength: 1,
      maxLength: 3,
    })
    .map((g) => g.join(', ')),
};
/** Cells of each kind that test its coercion: edge cases, near misses, other kinds' values. */
const HOSTILE: Record<string, fc.Arbitrary<string>> = {
  text: textCell,
  year: yearCell,
  integer: integerCell,
  decimal: decimalCell,
  minutes: minutesCell,
  money: moneyCell,
  genres: genresCell,
};

/** A cell for a column of this kind: mostly a good one, often a hostile one, sometimes anything or nothing. */
const cellFor = (kind: string | null): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 12, arbitrary: padded(VALID[kind ?? 'text']!) },
    { weight: 3, arbitrary: padded(HOSTILE[kind ?? 'text']!) },
    { weight: 1, arbitrary: anyCell },
    { weight: 1, arbitrary: fc.constant('') },
  );

// --- headers ---

function words(name: string): string[] {
  return name.split('_').filter(Boolean);
}
/** Spellings of a snake_case name that normalize back to it (and a few that do not quite). */
const spelling = (name: string): fc.Arbitrary<string> => {
  const w = words(name);
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return fc.oneof(
    fc.constant(name),
    fc.constantFrom(
      name.toUpperCase(),
      w.map(cap).join(' '),
      w.join('-'),
      w.join('.'),
      w.join(' / '),
      w[0]! + w.slice(1).map(cap).join(''),
      w.map(cap).join(''),
      w.map(cap).join('_'),
      ` ${name}\u00a0`,
      `\ufeff${name}`,
      `${name}\u0085`,
      `\u200b${name}`,
      `${name}!`,
      `${name}__`,
      `_${name}`,
      `(${w.join(' ')})`,
      name.replace(/i/g, 'İ'),
      name.replace(/s/g, 'Σ'),
    ),
  );
};
const unknownName = fc.oneof(
  fc.constantFrom(
    'Mystery',
    'foo bar',
    'Foo-Bar',
    '',
    '   ',
    '#',
    '名前',
    'ΣΑΣ',
    'primary_genre',
    'loaded_at',
    'a;b',
    'x|y',
  ),
  text(6),
);
/** A contract column under one of its names, spelled some way. */
const columnName = (c: ContractColumn): fc.Arbitrary<string> =>
  fc.constantFrom(c.name, ...c.aliases).chain(spelling);

/**
 * A header: a few of the contract's columns (nearly always the required ones), each once under
 * some name, unknown columns, and now and then a column twice.
 */
const header: fc.Arbitrary<string[]> = fc
  .tuple(
    fc.tuple(...CONTRACT_COLUMNS.map(columnName)),
    fc.array(fc.integer({ min: 0, max: 5 }), {
      minLength: CONTRACT_COLUMNS.length,
      maxLength: CONTRACT_COLUMNS.length,
    }),
    fc.array(unknownName, { maxLength: 2 }),
    fc.oneof(
      { weight: 11, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom(...CONTRACT_COLUMNS).chain(columnName) },
    ),
  )
  .chain(([names, dice, unknown, twice]) => {
    // Required columns are dropped one time in 12, optional ones kept one time in 3.
    const kept = names.filter((_, i) =>
      CONTRACT_COLUMNS[i]!.required ? dice[i]! > 0 || dice[(i + 1) % dice.length]! > 0 : dice[i]! < 2,
    );
    const all = [...kept, ...unknown, ...(twice === null ? [] : [twice])];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });

/** The contract coercion a header cell names, for picking its cells. */
function kindOf(name: string): string | null {
  return contractColumnFor(name)?.coercion ?? null;
}

// --- CSV text ---

/** A cell as CSV text: plain when it can be, quoted (always, or because it must), or with stray text after the quote. */
const encoded = (cell: string): fc.Arbitrary<string> => {
  const quoted = `"${cell.replace(/"/g, '""')}"`;
  const mustQuote = /[",\r\n]/.test(cell);
  return fc.oneof(
    { weight: 60, arbitrary: fc.constant(mustQuote ? quoted : cell) },
    { weight: 20, arbitrary: fc.constant(quoted) },
    { weight: 1, arbitrary: fc.constantFrom('x', ' ', '"', 'a"b').map((stray) => quoted + stray) },
  );
};
const lineEnding = fc.constantFrom('\n', '\r\n', '\r');

export interface RandomDrop {
  readonly bytes: Buffer;
  /** TypeScript's chunk size and Python's split size for this case. */
  readonly chunk: number;
  readonly split: number;
}

/** Bytes that break a file (or merely a record), each put at a random place: usually none. */
const damage = fc.oneof(
  { weight: 28, arbitrary: fc.constant([]) },
  {
    weight: 4,
    arbitrary: fc.array(
      fc.tuple(
        fc.constantFrom(
          [0x00],
          [0xff],
          [0x80],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xe2, 0x82],
          [0xf0, 0x9f, 0x98],
          [0xf4, 0x90, 0x80, 0x80],
          [0xef, 0xbb, 0xbf],
          [0x22],
          [0x0d],
          [0x2c, 0x22],
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  },
);

const ragged = fc.oneof(
  { weight: 8, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(-2, -1, 1, 3) },
);
const blankLine = fc.constantFrom(
  { text: '', eol: '\n' },
  { text: '', eol: '\r\n' },
  { text: '', eol: '\r' },
);

export const randomDrop: fc.Arbitrary<RandomDrop> = header
  .chain((names) => {
    const kinds = names.map(kindOf);
    const row = ragged.chain((r) => {
      const width = Math.max(1, kinds.length + r);
      const cells = Array.from({ length: width }, (_, i) => cellFor(kinds[i] ?? null).chain(encoded));
      return fc.tuple(fc.tuple(...cells), lineEnding).map(([texts, eol]) => ({ text: texts.join(','), eol }));
    });
    return fc.tuple(
      fc.constant(names),
      fc.array(fc.oneof({ weight: 8, arbitrary: row }, { weight: 1, arbitrary: blankLine }), {
        maxLength: 10,
      }),
      fc.oneof(lineEnding, fc.constant('')),
      fc.boolean(),
      fc.boolean(),
      damage,
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 48 }),
    );
  })
  .map(([names, rows, finalEol, bom, headerQuoted, hurt, chunk, split]) => {
    const head = names
      .map((n) => (headerQuoted || /[",\r\n]/.test(n) ? `"${n.replace(/"/g, '""')}"` : n))
      .join(',');
    const body = rows.map((r, i) => (i === rows.length - 1 && !finalEol ? r.text : r.text + r.eol)).join('');
    let bytes = Buffer.from(`${head}${rows.length ? '\n' : finalEol}${body}`, 'utf8');
    if (bom) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    for (const [bad, where] of hurt) {
      const at = Math.floor(where * bytes.length);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
    }
    return { bytes, chunk, split };
  });
