import type { Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import proto from '@temporalio/proto'; // CommonJS: its namespaces are only reachable through the default export
import { SearchAttributeType } from '@temporalio/common';
import { searchAttributes } from '../contracts/search-attributes';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
const indexedType: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

const UNIMPLEMENTED = 12; // gRPC status

/** The namespace's search attributes; empty where the server cannot list them (the time-skipping server). */
async function listSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<Record<string, temporal.api.enums.v1.IndexedValueType>> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return { ...existing.customAttributes, ...existing.systemAttributes };
  } catch (err) {
    if ((err as { code?: number }).code === UNIMPLEMENTED) return {};
    throw err;
  }
}

/**
 * Registers the project's search attributes in `namespace` through the operator service, skipping
 * those already there, so it is safe to run at every start against any cluster (the time-skipping
 * test server included). Returns the names it added. Throws when one exists with another type.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const known = await listSearchAttributes(connection, namespace);
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of searchAttributes) {
    const have = known[key.name];
    if (have === undefined) missing[key.name] = indexedType[key.type];
    else if (have !== indexedType[key.type]) {
      throw new Error(`search attribute ${key.name} exists with another type (${IndexedValueType[have]})`);
    }
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
  return Object.keys(missing);
}
