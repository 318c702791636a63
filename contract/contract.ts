/**
 * The movie data contract: the one description of what a drop may look like and what the
 * `movies` table holds. The CLI, the Action, the local twin and (as JSON, emitted at synth) the
 * Glue job all read it from here, so the engines cannot drift apart.
 */
import type { ValueType } from '../quality/rules/compiled-rule.ts';

/** How a text cell becomes a typed value. Each kind is documented in README ("The data contract"). */
export type Coercion =
  | 'text' // trimmed; blank → NULL
  | 'year' // a whole number, e.g. 1994
  | 'integer' // a whole number; thousands separators allowed ("2,343,110")
  | 'decimal' // a decimal number ("9.3", "8")
  | 'minutes' // a duration in minutes: "142 min", "142", "2h 22m"
  | 'money' // an amount in whole US dollars: "28,341,469", "$1,234" (cents are dropped)
  | 'genres'; // a comma-separated list: "Crime, Drama" (normalized to "Crime, Drama")

export interface InputColumn {
  /** Canonical snake_case name: the table column and the name rules refer to. */
  readonly name: string;
  readonly coercion: Coercion;
  /** Header names accepted besides the canonical one, already normalized (see normalizeHeader). */
  readonly aliases: readonly string[];
  readonly required: boolean;
  readonly sqlType: string;
  readonly description: string;
}

/** Columns a drop may carry, in canonical order. */
export const INPUT_COLUMNS: readonly InputColumn[] = [
  {
    name: 'movie_id',
    coercion: 'text',
    aliases: ['id', 'imdb_id', 'tconst'],
    required: false,
    sqlType: 'VARCHAR(256)',
    description: 'Stable id; derived from title and release year when the drop has no id column',
  },
  {
    name: 'title',
    coercion: 'text',
    aliases: ['series_title', 'movie_title', 'name'],
    required: true,
    sqlType: 'VARCHAR(512)',
    description: 'Title as released',
  },
  {
    name: 'release_year',
    coercion: 'year',
    aliases: ['released_year', 'year'],
    required: true,
    sqlType: 'SMALLINT',
    description: 'Year of first release',
  },
  {
    name: 'certificate',
    coercion: 'text',
    aliases: ['certification', 'rated'],
    required: false,
    sqlType: 'VARCHAR(32)',
    description: 'Age certificate (U, UA, A, PG-13, R, ...)',
  },
  {
    name: 'runtime_minutes',
    coercion: 'minutes',
    aliases: ['runtime', 'runtime_min', 'duration'],
    required: false,
    sqlType: 'INTEGER',
    description: 'Running time in minutes',
  },
  {
    name: 'genres',
    coercion: 'genres',
    aliases: ['genre'],
    required: false,
    sqlType: 'VARCHAR(256)',
    description: 'Genres, comma-separated, first one primary',
  },
  {
    name: 'imdb_rating',
    coercion: 'decimal',
    aliases: ['rating', 'imdb_score'],
    required: true,
    sqlType: 'DECIMAL(3,1)',
    description: 'IMDb user rating, 0 to 10',
  },
  {
    name: 'overview',
    coercion: 'text',
    aliases: ['plot', 'description', 'summary'],
    required: false,
    sqlType: 'VARCHAR(4096)',
    description: 'Short plot summary',
  },
  {
    name: 'meta_score',
    coercion: 'integer',
    aliases: ['metascore', 'metacritic'],
    required: false,
    sqlType: 'SMALLINT',
    description: 'Metacritic score, 0 to 100',
  },
  {
    name: 'director',
    coercion: 'text',
    aliases: ['directed_by'],
    required: false,
    sqlType: 'VARCHAR(256)',
    description: 'Director',
  },
  ...[1, 2, 3, 4].map((n): InputColumn => ({
    name: `star${n}`,
    coercion: 'text',
    aliases: [`star_${n}`],
    required: false,
    sqlType: 'VARCHAR(256)',
    description: `Billed star #${n}`,
  })),
  {
    name: 'votes',
    coercion: 'integer',
    aliases: ['no_of_votes', 'num_votes', 'number_of_votes', 'vote_count'],
    required: false,
    sqlType: 'BIGINT',
    description: 'Number of IMDb votes',
  },
  {
    name: 'gross_usd',
    coercion: 'money',
    aliases: ['gross', 'box_office'],
    required: false,
    sqlType: 'BIGINT',
    description: 'US gross in dollars',
  },
  {
    name: 'poster_url',
    coercion: 'text',
    aliases: ['poster_link', 'poster'],
    required: false,
    sqlType: 'VARCHAR(1024)',
    description: 'Poster image URL',
  },
];

/** Columns the pipeline adds to every row. */
export const DERIVED_COLUMNS = [
  { name: 'primary_genre', sqlType: 'VARCHAR(64)', description: 'First listed genre' },
  { name: 'source_key', sqlType: 'VARCHAR(1024)', description: 'S3 key (or file) the row came from' },
  { name: 'loaded_at', sqlType: 'TIMESTAMP', description: 'When the row was loaded' },
] as const;

export const TABLE_NAME = 'movies';
export const PRIMARY_KEY = 'movie_id';
/**
 * The largest drop the pipeline takes: S3 copies one object in one request up to 5 GiB, and the
 * pipeline archives (and quarantines) a drop by copying it. A larger file is refused before
 * anything loads, with the advice to split it.
 */
export const MAX_DROP_BYTES = 5 * 1024 ** 3;

/** Where a load stages its rows before the MERGE: a schema of its own, so the loader needs no CREATE on public. */
export const STAGING_SCHEMA = 'movies_staging';
/** Where each row came from, set by every load. */
export const LINEAGE_COLUMNS = ['source_key', 'loaded_at'] as const;

/**
 * The columns a load sets on a movie already in the table: the contract columns the drop
 * carries (`absent` lists those it does not), `primary_genre` if and only if it carries
 * `genres`, and the lineage; never the key, which matches the row. A column the drop lacks keeps
 * its value (a new movie gets NULL there). The Glue job applies the same rule
 * (updated_columns in infra/glue/lib/movies_load.py).
 */
export function updatedColumns(layout: { readonly absent: readonly string[] }): string[] {
  const absent = new Set(layout.absent);
  return [
    ...INPUT_COLUMNS.filter((c) => c.name !== PRIMARY_KEY && !absent.has(c.name)).map((c) => c.name),
    ...(absent.has('genres') ? [] : ['primary_genre']),
    ...LINEAGE_COLUMNS,
  ];
}

const VALUE_TYPES: Record<Coercion, ValueType> = {
  text: 'string',
  genres: 'string',
  year: 'integer',
  integer: 'integer',
  minutes: 'integer',
  money: 'integer',
  decimal: 'decimal',
};

export function valueTypeOf(coercion: Coercion): ValueType {
  return VALUE_TYPES[coercion];
}

const INTEGER_LIMITS: Readonly<Record<string, number>> = {
  SMALLINT: 2 ** 15,
  INTEGER: 2 ** 31,
  BIGINT: 2 ** 63,
};

/**
 * Whether a number fits a column of this SQL type: a SMALLINT, INTEGER or BIGINT its range, a
 * DECIMAL(p,s) its p - s integer digits once rounded to s places. Other types take any number.
 */
export function fitsSqlType(sqlType: string, value: number): boolean {
  const limit = INTEGER_LIMITS[sqlType];
  if (limit !== undefined) return -limit <= value && value < limit;
  const m = /^DECIMAL\((\d+),(\d+)\)$/.exec(sqlType);
  if (!m) return true;
  const p = Number(m[1]);
  const s = Number(m[2]);
  return Math.abs(value) < 10 ** (p - s) - 0.5 * 10 ** -s;
}

/**
 * Header normalization: case, surrounding space, spaces/dashes/dots, camelCase all fold to
 * snake_case, so "Released Year", "released-year" and "releasedYear" name the same column.
 */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[\s\-./]+/g, '_')
    .replace(/[^\p{L}\p{N}_]+/gu, '')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

const BY_HEADER = new Map<string, InputColumn>();
for (const column of INPUT_COLUMNS) {
  for (const name of [column.name, ...column.aliases]) BY_HEADER.set(name, column);
}

/** The contract column a header names, or undefined for a column the contract does not know. */
export function contractColumnFor(header: string): InputColumn | undefined {
  return BY_HEADER.get(normalizeHeader(header));
}

/** The contract as plain JSON, for engines outside TypeScript (the Glue job). */
export function contractJson(): object {
  return {
    version: 1,
    table: TABLE_NAME,
    stagingSchema: STAGING_SCHEMA,
    primaryKey: PRIMARY_KEY,
    inputColumns: INPUT_COLUMNS.map(({ name, coercion, aliases, required, sqlType }) => ({
      name,
      coercion,
      aliases,
      required,
      sqlType,
    })),
    derivedColumns: DERIVED_COLUMNS,
    maxDropBytes: MAX_DROP_BYTES,
    movieId: 'slug(title) + "-" + release_year when no id column or a blank id',
  };
}
