/** `npm run ledger`: the local stack's ledger, one line per order (run beside `npm start`). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dev/aws/local-account';
import { portsFromEnvironment } from '../dev/stack/ports';

const { dynamoDb } = portsFromEnvironment(process.env);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: `http://127.0.0.1:${dynamoDb}`, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
const tableName = `payscore-sign-plan-${process.env.STAGE ?? 'local'}-ledger`;

try {
  const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
  for (const item of Items) {
    const notifications = (item.notifications as unknown[] | undefined)?.length ?? 0;
    console.log(`${String(item.pk)}  state ${String(item.state ?? item.event_type)}  order_id ${String(item.order_id ?? '-')}  notifications ${notifications}`);
  }
  console.log(`${Items.length} item(s) in ${tableName}`);
} catch (error) {
  console.error(`npm run ledger: cannot read ${tableName} on 127.0.0.1:${dynamoDb} (is npm start running?): ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
