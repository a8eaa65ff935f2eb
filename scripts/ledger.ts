/** `npm run ledger`: the local stack's ledger, one line per object and one per item about it (run beside `npm start`). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dev/aws/local-account';
import { localUrl, runningStackOrExit } from '../dev/stack/running-stack';

const { ports, tableName } = runningStackOrExit('npm run ledger');
const endpoint = localUrl(ports.dynamoDb);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));

try {
  const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
  for (const line of describeLedger(Items)) console.log(line);
  console.log(`${Items.length} item(s) in ${tableName}`);
} catch (error) {
  console.error(`npm run ledger: cannot read ${tableName} at ${endpoint}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  client.destroy();
}

/** One line per object (its account, number, state, where the state came from, whether it is open), then what is about it. */
function describeLedger(items: Record<string, unknown>[]): string[] {
  const text = (value: unknown) => (value === undefined ? '-' : String(value));
  const account = (item: Record<string, unknown>) => (item.sub_mchid === undefined ? text(item.mchid) : `${text(item.mchid)}/${text(item.sub_mchid)}`);
  // A plan detail also names its sign plan, whose line it sits under.
  const number = (item: Record<string, unknown>) =>
    item.plan_detail_no === undefined ? text(item.out_order_no ?? item.merchant_sign_plan_no ?? item.merchant_plan_no) : `detail ${text(item.plan_detail_no)}`;
  const collection = (item: Record<string, unknown>) => (typeof item.collection === 'string' ? ` collection ${text((JSON.parse(item.collection) as { state?: string }).state)}` : '');
  const describe = (item: Record<string, unknown>): string => {
    switch (item.kind) {
      case 'NOTIFICATION':
        return `notification ${text(item.id)}  ${text(item.event_type)}  sent ${text(item.create_time)}  received ${text(item.received_at)}`;
      case 'SIGN_PLAN_ID':
        return `sign_plan_id ${text(item.sign_plan_id)} ${account(item)}  is user sign plan ${text(item.merchant_sign_plan_no)}`;
      case 'INTENT':
        return `intent ${text(item.operation)}  ${text(item.status)}  ${text(item.method)} ${text(item.path)}  since ${text(item.created_at)}`;
      default: {
        const open = item.pending_pk === undefined ? '' : `  open since ${text(item.pending_since)}`;
        return `${text(item.kind)} ${account(item)} ${number(item)}  state ${text(item.state)}${collection(item)}  order_id ${text(item.order_id)}  from ${text(item.source)} ${text(item.source_id)}${open}`;
      }
    }
  };
  const partitions = new Map<unknown, Record<string, unknown>[]>();
  for (const item of items) partitions.set(item.pk, [...(partitions.get(item.pk) ?? []), item]);
  return [...partitions.values()].flatMap((partition) => {
    // The object first, then its details, intents and notifications (in the order received).
    const object = partition.find((item) => item.sk === item.kind);
    const about = partition.filter((item) => item !== object).sort((a, b) => text(a.received_at ?? a.sk).localeCompare(text(b.received_at ?? b.sk)));
    return [object ? describe(object) : `${text(partition[0]!.pk)}  (no object item, only what is about it)`, ...about.map((item) => `  ${describe(item)}`)];
  });
}
