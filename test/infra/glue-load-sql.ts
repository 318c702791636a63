/**
 * The SQL the Glue job's load really sends to Redshift: the script's own `load` function, run in
 * Python with stand-ins for Spark and Glue, and the connection options it hands to the Redshift
 * writer captured (the staging table, the preactions, the MERGE postactions).
 */
import { spawnSync } from 'node:child_process';
import { contractJson } from '../../infra/pipeline/contract.ts';

const SCRIPT = 'infra/glue/movie_etl.py';

export interface GlueLoadSql {
  /** The staging table the writer COPYs into. */
  readonly dbtable: string;
  readonly preactions: string;
  readonly postactions: string;
}

export function glueLoadSql(execution: string, key = 'input_data/drop.csv'): GlueLoadSql {
  const program = `
import json, re, sys
src = open(${JSON.stringify(SCRIPT)}).read()
code = src[src.index("def load("):src.index("def write_results(")]
captured = {}
class Column:
    def alias(self, name):
        return name
class F:
    lit = staticmethod(lambda value: Column())
    current_timestamp = staticmethod(lambda: Column())
class Frame:
    def select(self, *columns):
        return self
class DynamicFrame:
    fromDF = staticmethod(lambda frame, context, name: frame)
class Writer:
    def from_jdbc_conf(self, **options):
        captured.update(options)
class Glue:
    write_dynamic_frame = Writer()
class Args(dict):
    def __missing__(self, name):
        return "<" + name + ">"
env = {"re": re, "F": F, "DynamicFrame": DynamicFrame, "CONTRACT": json.loads(sys.argv[1]), "ARGS": Args()}
exec(code, env)
env["load"](Glue(), Frame(), sys.argv[2], sys.argv[3])
print(json.dumps(captured["connection_options"]))
`;
  const r = spawnSync('python3', ['-c', program, JSON.stringify(contractJson()), key, execution], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as GlueLoadSql;
}
