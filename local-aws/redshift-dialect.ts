/**
 * What the Data API refuses because Redshift does not have it, though the PostgreSQL under the
 * twin does: COPY to or from the server's files or programs, DO blocks, the functions that read
 * or write the server's files, changes to the server itself (its settings, tablespaces, loaded
 * code, catalogs), and, in functions, SQL built at run time that no check could see. Left to PostgreSQL, they would write into (and so corrupt)
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
    else if (/^u&["']/i.test(rest) && (i === 0 || !/\w/.test(sql[i - 1]!))) {
      // A Unicode-escaped name or string: marked, so that it is refused rather than decoded.
      out.push({ kind: 'symbol', value: 'U&' });
      i += 2;
    } else if (c === "'" || (/^[eE]'/.test(rest) && (i === 0 || !/\w/.test(sql[i - 1]!)))) {
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
  const why = serverChange(statement) ?? catalogWrite(statement);
  if (why) return why;
  // Named at all, not only called: CREATE OPERATOR, CAST or AGGREGATE can call a function named bare.
  for (const t of statement)
    if (t.kind === 'word' && FILE_FUNCTIONS.has(t.value))
      return `function ${t.value} is not supported in Redshift: the warehouse's server files are not readable or writable through SQL.`;
  // U&"..." spells a name with escapes the check would have to decode; Redshift has no such names.
  if (statement.some((t) => t.kind === 'symbol' && t.value === 'U&'))
    return 'Unicode-escaped names and strings (U&"...") are not supported in Redshift.';
  // A function's or procedure's body is SQL that runs later: check it too, and the strings
  // within it (what it EXECUTEs).
  const routine = isWord(first, 'create') && statement.some((t) => isWord(t, 'function', 'procedure'));
  if (routine) {
    const language = statement.findIndex((t) => isWord(t, 'language'));
    if (language >= 0 && isWord(statement[language + 1], 'c', 'internal'))
      return 'functions in C are not supported in Redshift; write them in SQL, PL/pgSQL or Python.';
  }
  if (depth > 0) {
    const why = dynamicSql(statement);
    if (why) return why;
  }
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

/**
 * Statements that change the server itself rather than the data: its settings (kept in the data
 * directory and read at every start), its tablespaces, the code it loads. Redshift has none of
 * them, and here each could keep the warehouse from opening again.
 */
function serverChange(statement: Token[]): string | undefined {
  const [first, second] = statement;
  if (isWord(first, 'alter') && isWord(second, 'system'))
    return 'ALTER SYSTEM is not supported in Redshift; the server settings are not changed through SQL.';
  if (isWord(first, 'alter') && isWord(second, 'database'))
    return 'ALTER DATABASE is not supported by the local twin: its one database is kept as the twin makes it.';
  if (
    isWord(first, 'alter') &&
    isWord(second, 'role', 'user', 'group') &&
    statement.some((t) => isWord(t, 'set', 'reset'))
  )
    return "ALTER USER ... SET is not supported by the local twin: the users' settings are kept as the twin makes them.";
  if (isWord(first, 'create') && isWord(second, 'tablespace'))
    return 'CREATE TABLESPACE is not supported in Redshift.';
  if (isWord(first, 'create') && isWord(second, 'extension'))
    return 'CREATE EXTENSION is not supported in Redshift.';
  if (isWord(first, 'load')) return 'LOAD is not supported in Redshift.';
  return undefined;
}

/** A write into PostgreSQL's own catalogs (`UPDATE pg_authid ...`), which Redshift does not allow. */
function catalogWrite(statement: Token[]): string | undefined {
  for (const [i, t] of statement.entries()) {
    const target =
      isWord(t, 'update', 'into', 'truncate') || (isWord(t, 'from') && isWord(statement[i - 1], 'delete'));
    if (!target) continue;
    let next = i + 1;
    while (isWord(statement[next], 'only', 'table')) next++;
    const name = statement[next];
    if (name?.kind === 'word' && (name.value === 'pg_catalog' || name.value.startsWith('pg_')))
      return 'writing to the system catalogs is not supported in Redshift.';
  }
  return undefined;
}

/**
 * In a function's body, EXECUTE of a string built at run time: what it would run cannot be
 * checked, so the twin refuses it (a literal string is checked as any SQL).
 */
function dynamicSql(statement: Token[]): string | undefined {
  for (const [i, t] of statement.entries()) {
    if (!isWord(t, 'execute')) continue;
    const sql = statement[i + 1];
    const after = statement[i + 2];
    if (sql?.kind === 'string' && (after === undefined || isWord(after, 'using', 'into'))) continue;
    return 'EXECUTE of SQL built at run time is not supported by the local twin, which checks what a function runs before it runs; EXECUTE a literal statement.';
  }
  return undefined;
}
