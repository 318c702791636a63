/**
 * The SQL the Glue job's load sends to Redshift, from the module its `load` takes every statement
 * from (infra/glue/lib/movies_load.py), run in Python as the job runs it: the staging table, the
 * preactions and the MERGE postactions, given the contract, the execution and the columns the
 * drop carries.
 */
import { spawnSync } from 'node:child_process';
import { contractJson, INPUT_COLUMNS, PRIMARY_KEY } from '../../../contract/contract.ts';
import type { DropLayout } from '../../../contract/movie-reader.ts';

/** Where the job finds movies_load (on its Python path). */
export const GLUE_LIB = 'infra/glue/lib';

export interface GlueLoadSql {
  /** The staging table the writer COPYs into. */
  readonly dbtable: string;
  readonly preactions: string;
  readonly postactions: string;
  /** The staging table's columns, as the job's frame selects them (canonical, then lineage). */
  readonly staged: string[];
  /** The columns the MERGE sets on a movie already in the table. */
  readonly updated: string[];
}

/** The contract columns a drop carries, as the job's reader lists them: movie_id only if the file has it. */
export function carriedColumns(layout: Pick<DropLayout, 'absent' | 'derivedId'>): string[] {
  return INPUT_COLUMNS.map((c) => c.name).filter((name) =>
    name === PRIMARY_KEY ? !layout.derivedId : !layout.absent.includes(name),
  );
}

/** Runs a Python program with movies_load importable (and no bytecode left in the source tree). */
export function runGlueLib(program: string, ...args: string[]): string {
  const r = spawnSync('python3', ['-c', program, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: GLUE_LIB, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** The modules outside the standard library that importing `module` from the Glue library loads. */
export function nonStdlibImports(module: string): string[] {
  const program = `
import json, sys
before = set(sys.modules)
import ${module}
print(json.dumps(sorted(m for m in set(sys.modules) - before
                        if m != "${module}" and m.split(".")[0] not in sys.stdlib_module_names)))
`;
  return JSON.parse(runGlueLib(program)) as string[];
}

/** The load's SQL for one execution; by default the drop carries every contract column. */
export function glueLoadSql(
  execution: string,
  carried: readonly string[] = INPUT_COLUMNS.map((c) => c.name),
): GlueLoadSql {
  const program = `
import json, sys
import movies_load
contract, execution, carried = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
print(json.dumps({
    "dbtable": movies_load.staging_table(contract, execution),
    "preactions": movies_load.preactions(contract, execution),
    "postactions": movies_load.postactions(contract, execution, carried),
    "staged": movies_load.staged_columns(contract),
    "updated": movies_load.updated_columns(contract, carried),
}))
`;
  return JSON.parse(
    runGlueLib(program, JSON.stringify(contractJson()), execution, JSON.stringify(carried)),
  ) as GlueLoadSql;
}
