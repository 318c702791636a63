/**
 * The Glue crawlers, locally: each writes the schema it finds into a local catalog (a JSON file),
 * the Glue Data Catalog's stand-in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { contractColumnFor, INPUT_COLUMNS, TABLE_NAME } from '../contract/contract.ts';
import { CsvReader } from '../contract/csv.ts';
import { PREFIXES } from '../contract/lake.ts';
import type { ObjectStore } from './object-store.ts';
import type { Warehouse } from './warehouse.ts';

export interface CrawlerDeps {
  readonly store: ObjectStore;
  readonly bucket: string;
  readonly warehouse: Warehouse;
  readonly catalogPath: string;
}

interface Catalog {
  tables: Record<
    string,
    {
      columns: { name: string; type: string }[];
      location?: string;
      drift?: Record<string, { unknownColumns: string[]; missingRequired: string[] }>;
      updatedAt: string;
    }
  >;
}

function readCatalog(path: string): Catalog {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Catalog;
  } catch {
    return { tables: {} };
  }
}

/**
 * The S3 crawler: the header of every CSV under input_data/ becomes the table's schema in the
 * local catalog, with each file's drift from the contract (unknown and missing columns).
 */
export function crawlInput(d: CrawlerDeps): void {
  const catalog = readCatalog(d.catalogPath);
  const columns = new Map<string, string>();
  const drift: Record<string, { unknownColumns: string[]; missingRequired: string[] }> = {};
  for (const meta of d.store.keys(d.bucket, PREFIXES.input).filter((m) => m.key.endsWith('.csv'))) {
    const head = d.store.read(d.bucket, meta.key).subarray(0, 64 * 1024);
    let header: string[] = [];
    const reader = new CsvReader((r) => {
      if (!header.length) header = Array.from({ length: r.count }, (_, i) => r.field(i));
    });
    try {
      reader.push(head);
    } catch {
      continue; // unreadable files are the ETL job's to report
    }
    for (const h of header) columns.set(h, 'string');
    drift[meta.key] = {
      unknownColumns: header.filter((h) => !contractColumnFor(h)),
      missingRequired: INPUT_COLUMNS.filter(
        (c) => c.required && !header.some((h) => contractColumnFor(h)?.name === c.name),
      ).map((c) => c.name),
    };
  }
  catalog.tables.input_data = {
    columns: [...columns.keys()].map((name) => ({ name, type: 'string' })),
    location: `s3://${d.bucket}/${PREFIXES.input}`,
    drift,
    updatedAt: new Date().toISOString(),
  };
  writeFileSync(d.catalogPath, JSON.stringify(catalog, null, 2));
}

/** The warehouse crawler: the movies table's columns into the local catalog. */
export async function crawlWarehouse(d: CrawlerDeps): Promise<void> {
  const columns = await d.warehouse.columns(TABLE_NAME);
  const catalog = readCatalog(d.catalogPath);
  catalog.tables[`movies_public_${TABLE_NAME}`] = {
    columns,
    updatedAt: new Date().toISOString(),
  };
  writeFileSync(d.catalogPath, JSON.stringify(catalog, null, 2));
}
