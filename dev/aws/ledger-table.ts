/** The ledger table as serverless.yml defines it (resource LedgerTable): one source of truth for deploy and local runs. */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument, visit, type Node } from 'yaml';

const SERVERLESS_YML = new URL('../../serverless.yml', import.meta.url);
const PROPERTIES_PATH = ['resources', 'Resources', 'LedgerTable', 'Properties'];

/**
 * The CloudFormation properties that shape the table and mean the same in CreateTable.
 * The others (point-in-time recovery, deletion protection, tags…) only matter to a deployed table.
 */
const TABLE_SHAPE = ['AttributeDefinitions', 'KeySchema', 'BillingMode', 'ProvisionedThroughput', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'];

const intrinsicError = (property: string): Error =>
  new Error(`serverless.yml LedgerTable.Properties.${property} uses a deploy-time value; keep the table's shape literal so that dev/ can create it locally`);

/** A `!Ref`-style tag, a `Ref`/`Fn::` key or a `${…}` variable only resolves at deploy time: a local table cannot use it. */
function assertResolved(property: string, value: unknown): void {
  visit(value as Node, {
    Pair(_, pair) {
      if (isScalar(pair.key) && /^(Ref$|Fn::)/.test(String(pair.key.value))) throw intrinsicError(property);
    },
    Node(_, node) {
      if (node.tag?.startsWith('!') || (isScalar(node) && String(node.value).includes('${'))) throw intrinsicError(property);
    },
  });
}

/** The CreateTable input of the ledger, named `tableName`. */
export function ledgerTableDefinition(tableName: string, serverlessYml: string | URL = SERVERLESS_YML): CreateTableCommandInput {
  // parseDocument, not parse: it keeps the tags (unknown to plain YAML) for assertResolved, and does not warn about them.
  const properties = parseDocument(readFileSync(serverlessYml, 'utf8')).getIn(PROPERTIES_PATH);
  if (!isMap(properties)) throw new Error(`${String(serverlessYml)} has no ${PROPERTIES_PATH.join('.')}`);
  const shape: Record<string, unknown> = {};
  for (const property of TABLE_SHAPE) {
    const value: unknown = properties.get(property, true);
    if (value === undefined) continue;
    assertResolved(property, value);
    shape[property] = (value as Node).toJSON();
  }
  return { ...shape, TableName: tableName } as CreateTableCommandInput;
}
