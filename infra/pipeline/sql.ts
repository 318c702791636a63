/** The warehouse table, generated from the contract (Redshift and PostgreSQL both accept it). */
import { DERIVED_COLUMNS, INPUT_COLUMNS, PRIMARY_KEY, TABLE_NAME } from './contract.ts';

/** All table columns in order: the contract's input columns, then the derived ones. */
export const TABLE_COLUMNS: readonly { name: string; sqlType: string }[] = [
  ...INPUT_COLUMNS,
  ...DERIVED_COLUMNS,
];

export function createTableSql(table = TABLE_NAME): string {
  const columns = TABLE_COLUMNS.map(
    (c) => `  ${c.name} ${c.sqlType}${c.name === PRIMARY_KEY ? ' NOT NULL' : ''}`,
  ).join(',\n');
  return `CREATE TABLE IF NOT EXISTS ${table} (\n${columns},\n  PRIMARY KEY (${PRIMARY_KEY})\n);\n`;
}
