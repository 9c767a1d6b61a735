/**
 * The public face of the input contracts: this module only re-exports, from contracts/, the names
 * the rest of the code base imports (`../core/contracts.ts`), so that importers need not know how
 * the contracts are built. Its one job is that face; the work lives in:
 * - contracts/fields.ts: field builders (zod fields with their column metadata and plain twins);
 * - contracts/field-bytes.ts: reading CSV field values straight from their bytes;
 * - contracts/rules.ts, contracts/entity-rules.ts: row rules (checks across fields, defaults);
 * - contracts/entities.ts: the seven entity schemas and their keys;
 * - contracts/validator.ts: the compiled fast validators (the hot path of ingest);
 * - contracts/columns.ts: the curated columns (Parquet, Glue, DuckDB types) read off the schemas.
 */
export { type ColumnDef, curatedColumns, entityColumns, LINEAGE_COLUMNS } from './contracts/columns.ts';
export {
  type ContractSchemas,
  contractSchemas,
  ENTITIES,
  ENTITY_KEYS,
  type Entity,
  type EntityRow,
  isEntity,
} from './contracts/entities.ts';
export { SURVEY_SCALES } from './contracts/entity-rules.ts';
export { type ColumnKind, type ColumnMeta, type ContractContext, REJECT } from './contracts/fields.ts';
export {
  CSV_FIELD,
  type CsvRowValidator,
  compileContract,
  compileCsvContract,
  csvFieldText,
  type FastValidator,
} from './contracts/validator.ts';
