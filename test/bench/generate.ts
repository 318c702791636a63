/**
 * A deterministic generator of drops in the Kaggle "IMDB Top 1000" layout (~250 bytes a row),
 * with a few percent of realistically defective rows. Same seed, same bytes.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const HEADER =
  'Poster_Link,Series_Title,Released_Year,Certificate,Runtime,Genre,IMDB_Rating,Overview,Meta_score,Director,Star1,Star2,Star3,Star4,No_of_Votes,Gross';

const ADJ =
  'Silent Crimson Last Paper Northern Hollow Glass Midnight Iron Velvet Distant Broken Golden Quiet Burning Winter Electric Lost Wild Bright Hidden Second Final Little Great Dark Open Sleeping Falling Rising'.split(
    ' ',
  );
const NOUN =
  'Harbor Orchard Signal Lantern Kingdom Meridian Frontier Garden Engine Horizon Letters Compass River Tower Circus Archive Station Voyage Mirror Season Bridge Island Promise Machine Country Witness Summer Canyon Empire Shadow City'.split(
    ' ',
  );
const FIRST =
  'Ada Bruno Celia Dario Elena Farid Greta Hugo Ines Jonas Kira Luca Mara Nils Olga Pavel Rosa Sami Tara Viktor'.split(
    ' ',
  );
const LAST =
  'Lindqvist Okafor Marchetti Novak Haddad Brennan Sato Ferreira Kowalski Duval Ibsen Moreau Castillo Nakamura Varga Holm'.split(
    ' ',
  );
const GENRES =
  'Drama Crime Action Adventure Comedy Biography Animation Mystery Thriller Sci-Fi Romance Western Family War History'.split(
    ' ',
  );
const CERTS = ['U', 'UA', 'A', 'PG-13', 'R', 'PG', 'G', 'Approved'];
const PLOTS = [
  'A retired cartographer follows a map that redraws itself every night',
  'Two rival bakers are snowed in at the same roadside inn for a week',
  'A night-shift radio host starts receiving calls from the next week',
  'A young engineer restores a derelict lighthouse and the town around it',
  'An aging boxer trains the daughter of the man he once beat for the title',
  'Three siblings inherit a travelling circus and the debts that came with it',
];

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const thousands = (n: number): string => n.toLocaleString('en-US');

/** One data row (without newline). `i` makes the title unique; defects come from the PRNG. */
export function makeRow(i: number, r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const name = (): string => `${pick(FIRST)} ${pick(LAST)}`;
  const group = Math.floor(i / (ADJ.length * NOUN.length));
  let title = `${ADJ[i % ADJ.length]} ${NOUN[Math.floor(i / ADJ.length) % NOUN.length]}${group ? ` ${group + 1}` : ''}`;
  let year = String(1920 + Math.floor(r() * 105));
  let rating = (7.6 + Math.floor(r() * 18) / 10).toFixed(1).replace(/\.0$/, '');
  let runtime = `${80 + Math.floor(r() * 120)} min`;
  let votes = String(25_000 + Math.floor(r() * 2_300_000));
  const genres = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(GENRES)).join(', ');
  const meta = r() < 0.15 ? '' : String(50 + Math.floor(r() * 50));
  const gross = r() < 0.2 ? '' : `"${thousands(Math.floor(r() * 500_000_000))}"`;
  const slug = title.toLowerCase().replace(/ /g, '_');
  let tail = '';
  const defect = r();
  if (defect < 0.005) year = 'PG';
  else if (defect < 0.01) rating = '12.5';
  else if (defect < 0.015) votes = '-40';
  else if (defect < 0.02) title = '';
  else if (defect < 0.025) runtime = 'unknown';
  else if (defect < 0.027)
    title = `${ADJ[(i + 1) % ADJ.length]} ${NOUN[Math.floor((i + 1) / ADJ.length) % NOUN.length]}${group ? ` ${group + 1}` : ''}`; // may duplicate a neighbour
  else if (defect < 0.03) tail = 'cut';
  const fields = [
    `https://img.example.org/p/${slug}.jpg`,
    title,
    year,
    pick(CERTS),
    runtime,
    genres.includes(',') ? `"${genres}"` : genres,
    rating,
    `"${pick(PLOTS)}."`,
    meta,
    name(),
    name(),
    name(),
    name(),
    name(),
    votes,
    gross,
  ];
  return (tail ? fields.slice(0, 12) : fields).join(',');
}

/** Write `rows` rows to `path` (CRLF line ends, like the Kaggle file). */
export async function generateDrop(path: string, rows: number, seed = 1): Promise<void> {
  const r = rng(seed);
  const out = createWriteStream(path);
  let batch: string[] = [HEADER];
  for (let i = 0; i < rows; i++) {
    batch.push(makeRow(i, r));
    if (batch.length === 10_000) {
      if (!out.write(batch.join('\r\n') + '\r\n')) await once(out, 'drain');
      batch = [];
    }
  }
  if (batch.length) out.write(batch.join('\r\n') + '\r\n');
  out.end();
  await once(out, 'finish');
}
