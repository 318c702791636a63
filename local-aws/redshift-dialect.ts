/**
 * What the Data API refuses because Redshift does not have it, though the PostgreSQL under the
 * twin does: COPY to or from the server's files or programs, DO blocks, and the functions that
 * read or write the server's files. Left to PostgreSQL, they would write into (and so corrupt)
 * the warehouse's own data directory or hang it. A check of the SQL's tokens, not a parser:
 * strings, quoted names and comments are told apart, so a word inside a string is no keyword;
 * the bodies of functions and procedures are checked as SQL too.
 */

/** Server-side file access: PostgreSQL's, none of them Redshift's. */
const FILE_FUNCTIONS = new Set([
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_stat_file',
  'pg_ls_logdir',
  'pg_ls_waldir',
  'pg_ls_tmpdir',
  'pg_ls_archive_statusdir',
  'pg_ls_logicalsnapdir',
  'pg_ls_logicalmapdir',
  'pg_ls_replslotdir',
  'pg_file_write',
  'pg_file_rename',
  'pg_file_unlink',
  'pg_file_sync',
  'pg_logdir_ls',
  'lo_import',
  'lo_export',
]);

type Token =
  | { readonly kind: 'word'; readonly value: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'symbol'; readonly value: string };

/**
 * The SQL's tokens. Words are lower-cased, quoted names kept as written (a quoted name matches a
 * function only as written in lower case, as in PostgreSQL); comments and whitespace are dropped.
 */
export function tokens(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    if (/\s/.test(c)) i++;
    else if (rest.startsWith('--')) i = lineEnd(sql, i);
    else if (rest.startsWith('/*')) i = commentEnd(sql, i);
    else if (c === "'" || (/^[eE]'/.test(rest) && (i === 0 || !/\w/.test(sql[i - 1]!)))) {
      const start = c === "'" ? i : i + 1;
      const end = quoteEnd(sql, start, "'", c !== "'");
      out.push({ kind: 'string', value: sql.slice(start + 1, end - 1).replace(/''/g, "'") });
      i = end;
    } else if (c === '"') {
      const end = quoteEnd(sql, i, '"', false);
      out.push({ kind: 'word', value: sql.slice(i + 1, end - 1).replace(/""/g, '"') });
      i = end;
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(rest)) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest)![0];
      const close = sql.indexOf(tag, i + tag.length);
      const end = close < 0 ? sql.length : close;
      out.push({ kind: 'string', value: sql.slice(i + tag.length, end) });
      i = close < 0 ? sql.length : close + tag.length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(rest)![0];
      out.push({ kind: 'word', value: m.toLowerCase() });
      i += m.length;
    } else {
      out.push({ kind: 'symbol', value: c });
      i++;
    }
  }
  return out;
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end < 0 ? sql.length : end + 1;
}

/** Block comments nest in PostgreSQL. */
function commentEnd(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (!depth) return i;
    } else i++;
  }
  return i;
}

/** Past the closing quote (a doubled quote is one inside); backslash escapes in E'' strings. */
function quoteEnd(sql: string, start: number, quote: string, backslashes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashes && sql[i] === '\\') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i++;
  }
  return i;
}

/** The statements of a token list, split at top-level semicolons. */
function statements(list: Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of list) {
    if (t.kind === 'symbol' && t.value === ';') out.push([]);
    else out.at(-1)!.push(t);
  }
  return out.filter((s) => s.length);
}

const isWord = (t: Token | undefined, ...values: string[]): boolean =>
  t?.kind === 'word' && values.includes(t.value);

/**
 * Why Redshift would refuse this SQL (its error message, without Redshift's "ERROR: "), or
 * undefined when the check finds nothing it lacks.
 */
export function refusal(sql: string, depth = 0): string | undefined {
  for (const statement of statements(tokens(sql))) {
    const why = statementRefusal(statement, depth);
    if (why) return why;
  }
  return undefined;
}

function statementRefusal(statement: Token[], depth: number): string | undefined {
  const [first] = statement;
  if (isWord(first, 'copy')) {
    const direction = copyDirection(statement);
    if (direction?.value === 'to')
      return 'COPY ... TO is not supported in Redshift; UNLOAD writes query results to Amazon S3.';
    if (direction)
      return 'COPY ... FROM a file or program on the server is not supported in Redshift; COPY loads from Amazon S3, DynamoDB, EMR or a remote host over SSH.';
  }
  if (isWord(first, 'do')) return 'DO blocks are not supported in Redshift; use CREATE PROCEDURE and CALL.';
  for (const [i, t] of statement.entries())
    if (t.kind === 'word' && FILE_FUNCTIONS.has(t.value) && statement[i + 1]?.value === '(')
      return `function ${t.value} is not supported in Redshift: the warehouse's server files are not readable or writable through SQL.`;
  // A function's or procedure's body is SQL that runs later: check it too, and the strings
  // within it (what it EXECUTEs).
  const routine = isWord(first, 'create') && statement.some((t) => isWord(t, 'function', 'procedure'));
  if ((routine || depth > 0) && depth < 4)
    for (const t of statement) {
      const why = t.kind === 'string' ? refusal(t.value, depth + 1) : undefined;
      if (why) return why;
    }
  return undefined;
}

/** COPY's `TO` or `FROM` (outside the parentheses of a query or a column list), if any. */
function copyDirection(statement: Token[]): Token | undefined {
  let depth = 0;
  for (const t of statement.slice(1)) {
    if (t.value === '(') depth++;
    else if (t.value === ')') depth--;
    else if (!depth && isWord(t, 'to', 'from')) return t;
  }
  return undefined;
}
