import { describe, expect, it } from '@jest/globals';
import { refusal } from '../../local-aws/redshift-dialect.ts';

describe('what the Data API refuses because Redshift does not have it', () => {
  it.each([
    ["COPY (SELECT '99') TO '/pglite/data/PG_VERSION'", /^COPY \.\.\. TO is not supported in Redshift/],
    ["COPY (SELECT 1) TO PROGRAM 'true'", /^COPY \.\.\. TO is not supported/],
    ['copy movies to stdout', /^COPY \.\.\. TO is not supported/],
    ["COPY movies FROM '/etc/passwd'", /^COPY \.\.\. FROM a file or program on the server is not supported/],
    ["COPY movies (movie_id, title) FROM PROGRAM 'cat /etc/passwd'", /^COPY \.\.\. FROM a file or program/],
    ["/* first */ SELECT 1; COPY (SELECT 'x' FROM movies) TO '/tmp/x'", /^COPY \.\.\. TO/],
    ["SELECT pg_read_file('PG_VERSION')", /^function pg_read_file is not supported in Redshift/],
    ["SELECT pg_catalog.pg_ls_dir('.')", /^function pg_ls_dir is not supported/],
    ['SELECT "pg_stat_file"(\'PG_VERSION\')', /^function pg_stat_file is not supported/],
    ["SELECT PG_READ_BINARY_FILE ('x')", /^function pg_read_binary_file is not supported/],
    ["SELECT lo_import('/etc/passwd')", /^function lo_import is not supported/],
    ["SELECT lo_export(1, '/pglite/data/PG_VERSION')", /^function lo_export is not supported/],
    ['DO $$ BEGIN PERFORM 1; END $$', /^DO blocks are not supported in Redshift/],
    [
      "CREATE FUNCTION f() RETURNS text AS $body$ SELECT pg_read_file('x') $body$ LANGUAGE sql",
      /^function pg_read_file is not supported/,
    ],
    [
      "CREATE PROCEDURE p() AS $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''true'''; END $$ LANGUAGE plpgsql",
      /^COPY \.\.\. TO is not supported/,
    ],
    [
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'CO' || 'PY (SELECT 1) TO ''/x'''; END $$",
      /^EXECUTE of SQL built at run time is not supported by the local twin/,
    ],
    [
      'CREATE FUNCTION f(q text) RETURNS void AS $$ BEGIN EXECUTE format(q); END $$ LANGUAGE plpgsql',
      /^EXECUTE of SQL built at run time/,
    ],
    [
      'CREATE FUNCTION f(q text) RETURNS SETOF record AS $$ BEGIN RETURN QUERY EXECUTE q; END $$ LANGUAGE plpgsql',
      /^EXECUTE of SQL built at run time/,
    ],
    [
      "CREATE FUNCTION g() RETURNS int LANGUAGE c AS 'lib', 'g'",
      /^functions in C are not supported in Redshift/,
    ],
    ["ALTER SYSTEM SET shared_buffers = 'nonsense'", /^ALTER SYSTEM is not supported in Redshift/],
    [
      "ALTER DATABASE postgres SET search_path = 'nowhere'",
      /^ALTER DATABASE is not supported by the local twin/,
    ],
    ["ALTER ROLE postgres SET search_path = 'nowhere'", /^ALTER USER \.\.\. SET is not supported/],
    ['ALTER USER movies_bot RESET ALL', /^ALTER USER \.\.\. SET is not supported/],
    ["CREATE TABLESPACE t LOCATION '/pglite/data/base'", /^CREATE TABLESPACE is not supported/],
    ['CREATE EXTENSION pg_trgm', /^CREATE EXTENSION is not supported/],
    ["LOAD 'plpgsql'", /^LOAD is not supported/],
    ["UPDATE pg_authid SET rolsuper = false WHERE rolname = 'postgres'", /^writing to the system catalogs/],
    ['DELETE FROM pg_catalog.pg_class', /^writing to the system catalogs/],
    [
      'WITH x AS (UPDATE ONLY pg_database SET datallowconn = false RETURNING 1) SELECT * FROM x',
      /^writing to the system catalogs/,
    ],
    ['SELECT U&"pg\\005fls\\005fdir"(\'.\')', /^Unicode-escaped names and strings/],
    ["SELECT u&'\\0070g' AS x", /^Unicode-escaped names and strings/],
    [
      'CREATE OPERATOR !!! (RIGHTARG = text, FUNCTION = pg_read_file)',
      /^function pg_read_file is not supported/,
    ],
    ['CREATE CAST (int AS text) WITH FUNCTION "pg_ls_dir"(text)', /^function pg_ls_dir is not supported/],
  ])('refuses %s', (sql, why) => {
    expect(refusal(sql)).toMatch(why);
  });

  it.each([
    'SELECT 1',
    "SELECT 'COPY (SELECT 1) TO PROGRAM ''true''' AS text",
    "SELECT 'pg_read_file(x)' AS s -- pg_read_file('y')",
    'SELECT title FROM movies /* COPY movies TO stdout; */ WHERE votes > 1',
    'SELECT "copy" FROM (SELECT 1 AS "copy") t',
    "INSERT INTO notes (body) VALUES ('copy that to me')",
    "SELECT $$ COPY x TO 'y' $$ AS quoted",
    "SELECT E'it\\'s; COPY x TO ''y''' AS escaped",
    'SELECT pg_read_file_count FROM stats',
    'REFRESH MATERIALIZED VIEW mv_top_rated_movies',
    "CREATE FUNCTION ok() RETURNS int AS $$ BEGIN EXECUTE 'SELECT 1'; RETURN 1; END $$ LANGUAGE plpgsql",
    "CREATE FUNCTION ok(n int) RETURNS int AS $$ DECLARE r int; BEGIN EXECUTE 'SELECT $1' INTO r USING n; RETURN r; END $$ LANGUAGE plpgsql",
    'SELECT tablename FROM pg_tables WHERE schemaname = :schema',
    'ALTER USER movies_bot PASSWORD DISABLE',
    'EXECUTE top_rated(5)',
    'SELECT u & 1 AS masked FROM flags',
    "SELECT * FROM movies WHERE movie_id = :id AND title::text <> ''",
  ])('lets %s through', (sql) => {
    expect(refusal(sql)).toBeUndefined();
  });
});
