/** dynalite as the local DynamoDB, holding the ledger table of serverless.yml. */
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { closeServer, listen } from './http-server';
import { ledgerTableDefinition } from './ledger-table';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-account';

export interface DynamoDbOptions {
  port?: number;
  host?: string;
  tableName: string;
}

export interface DynamoDbStandIn {
  url: string;
  tableName: string;
  close(): Promise<void>;
}

/** Creates the ledger table through the real SDK client, as a deployment would, and waits until it is ACTIVE. */
async function createLedgerTable(url: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint: url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new CreateTableCommand(ledgerTableDefinition(tableName)));
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 }, { TableName: tableName });
  } finally {
    client.destroy();
  }
}

export async function startDynamoDb({ port = 0, host = '127.0.0.1', tableName }: DynamoDbOptions): Promise<DynamoDbStandIn> {
  // In memory; tables change state at once instead of after dynalite's default 500 ms.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const url = await listen(server, port, host);
  try {
    await createLedgerTable(url, tableName);
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  return { url, tableName, close: () => closeServer(server) };
}
