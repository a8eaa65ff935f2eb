import { ConditionalCheckFailedException, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startDynamoDb, type DynamoDbStandIn } from '../../../dev/aws/dynamodb';
import { ledgerTableDefinition } from '../../../dev/aws/ledger-table';
import { localClientConfig } from './local-clients';

const TABLE_NAME = 'payscore-sign-plan-test-ledger';
const ledgerTableProperties = parse(readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8')).resources.Resources.LedgerTable.Properties;

let dynamoDb: DynamoDbStandIn;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamoDb = await startDynamoDb({ tableName: TABLE_NAME });
  client = new DynamoDBClient(localClientConfig(dynamoDb.url));
  documents = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  client?.destroy();
  await dynamoDb?.close();
});

describe('ledgerTableDefinition', () => {
  it("is serverless.yml's LedgerTable under the given name, without what only a deployed table needs", () => {
    expect(ledgerTableDefinition('any-name')).toEqual({
      TableName: 'any-name',
      BillingMode: ledgerTableProperties.BillingMode,
      AttributeDefinitions: ledgerTableProperties.AttributeDefinitions,
      KeySchema: ledgerTableProperties.KeySchema,
      GlobalSecondaryIndexes: ledgerTableProperties.GlobalSecondaryIndexes,
    });
  });

  describe('on a serverless.yml whose table shape only resolves at deploy time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-table-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const definitionFrom = (properties: string) => {
      const file = join(dir, 'serverless.yml');
      writeFileSync(file, `resources:\n  Resources:\n    LedgerTable:\n      Properties:\n${properties.replace(/^/gm, '        ')}\n`);
      return () => ledgerTableDefinition('t', file);
    };

    it.each([
      ['a short-form intrinsic', 'BillingMode: !If [IsProd, PAY_PER_REQUEST, PROVISIONED]'],
      ['a long-form intrinsic', 'KeySchema:\n  - AttributeName: { "Fn::Sub": "${Stage}pk" }\n    KeyType: HASH'],
      ['a Serverless variable', 'BillingMode: ${self:custom.billingMode}'],
    ])('refuses %s, naming the property', (_, properties) => {
      expect(definitionFrom(properties)).toThrow(/LedgerTable\.Properties\.(BillingMode|KeySchema) uses a deploy-time value/);
    });

    it('ignores deploy-time values in properties a local table drops', () => {
      expect(definitionFrom('BillingMode: PAY_PER_REQUEST\nPointInTimeRecoverySpecification:\n  PointInTimeRecoveryEnabled: !If [IsProd, true, false]')()).toEqual({
        TableName: 't',
        BillingMode: 'PAY_PER_REQUEST',
      });
    });
  });
});

describe('startDynamoDb', () => {
  it('serves the ledger table, ACTIVE, with the key schema of serverless.yml', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
    expect(dynamoDb.tableName).toBe(TABLE_NAME);
    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: ledgerTableProperties.KeySchema,
      AttributeDefinitions: ledgerTableProperties.AttributeDefinitions,
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      GlobalSecondaryIndexes: [
        expect.objectContaining({ IndexName: 'pending', IndexStatus: 'ACTIVE', KeySchema: ledgerTableProperties.GlobalSecondaryIndexes[0].KeySchema, Projection: ledgerTableProperties.GlobalSecondaryIndexes[0].Projection }),
      ],
    });
  });

  it('stores and reads items through the DynamoDB document client', async () => {
    const item = { pk: 'SERVICE_ORDER#1900000109#1234323JKHDFE1243252', sk: 'SERVICE_ORDER', state: 'CREATED', collection: { paid_amount: 100 } };
    await documents.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
    const { Item } = await documents.send(new GetCommand({ TableName: TABLE_NAME, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }));
    expect(Item).toEqual(item);
  });

  it('rejects a second conditional create with ConditionalCheckFailedException', async () => {
    const create = () =>
      documents.send(new PutCommand({ TableName: TABLE_NAME, Item: { pk: 'NOTIFICATION#EV-2018050256', sk: 'NOTIFICATION' }, ConditionExpression: 'attribute_not_exists(pk)' }));
    await create();
    await expect(create()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('gives each instance its own data', async () => {
    const other = await startDynamoDb({ tableName: TABLE_NAME });
    const otherDocuments = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(other.url)));
    const { Item } = await otherDocuments.send(new GetCommand({ TableName: TABLE_NAME, Key: { pk: 'NOTIFICATION#EV-2018050256', sk: 'NOTIFICATION' } }));
    expect(Item).toBeUndefined();
    otherDocuments.destroy();
    await other.close();
  });
});
