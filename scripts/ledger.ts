/** `npm run ledger`: the local stack's ledger, one line per order (run beside `npm start`). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dev/aws/local-account';
import { localUrl, runningStackOrExit } from '../dev/stack/running-stack';

const { ports, tableName } = runningStackOrExit('npm run ledger');
const endpoint = localUrl(ports.dynamoDb);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));

try {
  const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
  for (const item of Items) {
    const notifications = (item.notifications as unknown[] | undefined)?.length ?? 0;
    console.log(`${String(item.pk)}  state ${String(item.state ?? item.event_type)}  order_id ${String(item.order_id ?? '-')}  notifications ${notifications}`);
  }
  console.log(`${Items.length} item(s) in ${tableName}`);
} catch (error) {
  console.error(`npm run ledger: cannot read ${tableName} at ${endpoint}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
