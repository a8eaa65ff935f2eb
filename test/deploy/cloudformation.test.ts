/**
 * The CloudFormation that `serverless package` generates: what a deployment would really create.
 * Packaged in a copy of the project: `serverless package` deletes the project's `.serverless/` first.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, PROJECT_ROOT, type ProjectCopy } from '../helpers/project-copy';
import { LIFECYCLE_OPERATIONS } from '../../lib/operations/routes';
import { createServiceOrder } from '../../lib/operations/service-orders';

interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

let copy: ProjectCopy;
let resources: Record<string, Resource>;
let conditions: Record<string, unknown>;
/** Packaged with a bus and an alarm topic of the merchant's own (stage params). */
let withParams: { resources: Record<string, Resource>; conditions: Record<string, unknown> };
const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);

// A file in this project's own .serverless/ (the output of the user's last `serverless package`), removed after.
const projectOutput = join(PROJECT_ROOT, '.serverless');
const sentinel = join(projectOutput, `test-sentinel-${process.pid}`);
const outputExisted = existsSync(projectOutput);

beforeAll(async () => {
  await mkdir(projectOutput, { recursive: true });
  await writeFile(sentinel, '');
  copy = await copyProject();
  await promisify(execFile)('npx', ['serverless', 'package', '--stage', 'test'], {
    cwd: copy.dir,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'ap-southeast-1', AWS_PROFILE: '' },
  });
  ({ Resources: resources, Conditions: conditions } = JSON.parse(await readFile(join(copy.dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8')));
  const params = ['--param', 'eventBusName=merchant-bus', '--param', 'alarmTopicArn=arn:aws:sns:ap-southeast-1:111122223333:payscore-alarms'];
  await promisify(execFile)('npx', ['serverless', 'package', '--stage', 'test', '--package', '.serverless-params', ...params], {
    cwd: copy.dir,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'ap-southeast-1', AWS_PROFILE: '' },
  });
  const packaged = JSON.parse(await readFile(join(copy.dir, '.serverless-params', 'cloudformation-template-update-stack.json'), 'utf8'));
  withParams = { resources: packaged.Resources, conditions: packaged.Conditions };
}, 180_000);
afterAll(async () => {
  await rm(outputExisted ? sentinel : projectOutput, { recursive: true, force: true });
  await copy?.remove();
});

describe('packaged CloudFormation', () => {
  it("leaves this project's own .serverless/ as it was", () => {
    expect(existsSync(sentinel)).toBe(true);
  });

  it('routes every entry of lib/operations for both accounts, IAM-authorized, and the notify routes public', () => {
    const routes = Object.fromEntries(ofType('AWS::ApiGatewayV2::Route').map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType ?? 'NONE']));
    const entries = [createServiceOrder, ...LIFECYCLE_OPERATIONS];
    expect(routes).toEqual({
      ...Object.fromEntries((['merchant', 'partner'] as const).flatMap((kind) => entries.map((entry) => [`${entry.method} /${kind}${entry.route}`, 'AWS_IAM']))),
      'POST /merchant/notify': 'NONE',
      'POST /partner/notify': 'NONE',
    });
    expect(Object.keys(routes)).toHaveLength(2 * 13 + 2);
  });

  it('runs each function kind once per account, on nodejs24.x arm64, each with its own secret, notify answering inside 5 s', () => {
    const functions = ofType('AWS::Lambda::Function').map((fn) => fn.Properties);
    for (const handler of ['create-merchant-service-order', 'create-partner-service-order', 'merchant-lifecycle', 'partner-lifecycle']) {
      expect(functions.filter((fn) => fn.Handler.includes(handler)).map((fn) => fn.Environment.Variables.WECHATPAY_SECRET_ID)).toEqual([`payscore/test/${handler.includes('merchant') ? 'merchant' : 'partner'}`]);
    }
    for (const fn of functions) {
      expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
      if (fn.Environment.Variables.WECHATPAY_SECRET_ID !== undefined) expect(fn.Environment.Variables.WECHATPAY_SECRET_ID).toMatch(/^payscore\/test\/(merchant|partner)$/);
    }
    const notify = functions.filter((fn) => fn.Handler.includes('deduction-notify'));
    expect(notify.map((fn) => fn.Timeout)).toEqual([5, 5]);
    expect(new Set(notify.map((fn) => fn.Environment.Variables.WECHATPAY_SECRET_ID)).size).toBe(2);
  });

  it('refreshes the platform certificates of each account every 12 hours', () => {
    const refreshers = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler.includes('refresh-platform-certificates'));
    expect(new Set(refreshers.map(([, fn]) => fn.Properties.Environment.Variables.WECHATPAY_SECRET_ID))).toEqual(new Set(['payscore/test/merchant', 'payscore/test/partner']));
    const rules = ofType('AWS::Events::Rule').map((rule) => rule.Properties);
    expect(rules.map((rule) => rule.ScheduleExpression)).toEqual(['rate(12 hours)', 'rate(12 hours)']);
    const targets = rules.map((rule) => JSON.stringify(rule.Targets));
    for (const [logicalId] of refreshers) expect(targets.filter((target) => target.includes(`"${logicalId}"`))).toHaveLength(1);
  });

  it('keeps the ledger: on demand, point-in-time recovery and deletion protection, retained on delete and replace', () => {
    const [table] = ofType('AWS::DynamoDB::Table');
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table!.Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
  });

  it('keys the ledger by object (pk) and item (sk), with the sparse pending index by account and age', () => {
    const [table] = ofType('AWS::DynamoDB::Table');
    expect(table!.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table!.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'pending',
        KeySchema: [
          { AttributeName: 'pending_pk', KeyType: 'HASH' },
          { AttributeName: 'pending_since', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: expect.arrayContaining(['kind', 'mchid', 'sub_mchid', 'out_order_no', 'service_id', 'appid', 'state', 'operation']) },
      },
    ]);
  });

  it('grants only the secret reads and writes and ledger writes used, on named resources, never *', () => {
    const [role] = ofType('AWS::IAM::Role');
    const statements = role!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
    const granted = statements.filter((statement: any) => [statement.Action].flat().some((action: string) => !action.startsWith('logs:')));
    expect(granted.map((statement: any) => [statement.Action].flat()).flat().sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'events:PutEvents',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'sqs:ListQueues',
      'sqs:SendMessage',
    ]);
    const text = JSON.stringify(granted);
    expect(text).not.toMatch(/"\*"|:\*"/);
    expect(text).toContain('secret:payscore/test/merchant-??????');
    expect(text).toContain('secret:payscore/test/partner-??????');
    const writes = granted.find((statement: any) => [statement.Action].flat().includes('secretsmanager:PutSecretValue'));
    expect([writes.Action].flat()).toEqual(['secretsmanager:PutSecretValue']);
    expect(JSON.stringify(writes.Resource).match(/secret:payscore\/test\/(merchant|partner)-\?{6}/g)).toHaveLength(2);
    expect(granted.find((statement: any) => [statement.Action].flat()[0].startsWith('dynamodb:')).Resource).toEqual([
      { 'Fn::GetAtt': ['LedgerTable', 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['LedgerTable', 'Arn'] }, '/index/pending']] },
    ]);
  });
});

/** CloudFormation's value of a condition of these templates (Fn::Equals and Fn::Not of literals). */
function holds(condition: unknown): boolean {
  const { 'Fn::Equals': equals, 'Fn::Not': not } = condition as { 'Fn::Equals'?: [unknown, unknown]; 'Fn::Not'?: [unknown] };
  if (equals) return equals[0] === equals[1];
  if (not) return !holds(not[0]);
  throw new Error(`unexpected condition ${JSON.stringify(condition)}`);
}

/** A value with each Fn::If of these conditions resolved, as CloudFormation resolves it (AWS::NoValue: undefined). */
function resolved(value: unknown, of: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((each) => resolved(each, of));
  if (value === null || typeof value !== 'object') return value;
  const { 'Fn::If': branch } = value as { 'Fn::If'?: [string, unknown, unknown] };
  if (branch) {
    const chosen = resolved(holds(of[branch[0]]) ? branch[1] : branch[2], of);
    return (chosen as { Ref?: string })?.Ref === 'AWS::NoValue' ? undefined : chosen;
  }
  return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, resolved(each, of)]));
}

describe('packaged CloudFormation: the ledger events', () => {
  const publisher = (from: Record<string, Resource>) => Object.values(from).find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler.includes('publish-ledger-events'))!;
  const mapping = () => ofType('AWS::Lambda::EventSourceMapping');

  it("streams the ledger's changes with both images to one publisher, for the stack", () => {
    const [table] = ofType('AWS::DynamoDB::Table');
    expect(table!.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(mapping()).toHaveLength(1);
    expect(mapping()[0]!.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['LedgerTable', 'StreamArn'] },
      FunctionName: { 'Fn::GetAtt': ['PublishLedgerEventsLambdaFunction', 'Arn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
    });
    expect(publisher(resources).Properties.Environment.Variables).not.toHaveProperty('WECHATPAY_SECRET_ID');
  });

  it('drops the records of notification and intent items before invoking: only objects can change status', () => {
    const [filter] = mapping()[0]!.Properties.FilterCriteria.Filters;
    expect(JSON.parse(filter.Pattern)).toEqual({ dynamodb: { NewImage: { kind: { S: ['SERVICE_ORDER', 'USER_SIGN_PLAN', 'USER_SIGN_PLAN_DETAIL', 'PLAN'] } } } });
  });

  it('reports partial batch failures, retries a bounded number of times, halving a failing batch, then dead-letters to SQS', () => {
    const properties = mapping()[0]!.Properties;
    expect(properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], MaximumRetryAttempts: 10, BisectBatchOnFunctionError: true });
    expect(properties.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': ['LedgerEventsDeadLetterQueue', 'Arn'] } } });
    expect(resources.LedgerEventsDeadLetterQueue).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } });
    const [role] = ofType('AWS::IAM::Role');
    const statements = role!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['sqs:ListQueues', 'sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['LedgerEventsDeadLetterQueue', 'Arn'] }] });
  });

  it('alarms on the first dead-lettered batch; notifies alarmTopicArn only when the param is set', () => {
    const alarm = resources.LedgerEventsDeadLetterAlarm!;
    expect(alarm.Type).toBe('AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['LedgerEventsDeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect((resolved(alarm.Properties, conditions) as any).AlarmActions).toBeUndefined();
    expect((resolved(withParams.resources.LedgerEventsDeadLetterAlarm!.Properties, withParams.conditions) as any).AlarmActions).toEqual(['arn:aws:sns:ap-southeast-1:111122223333:payscore-alarms']);
  });

  it("publishes to the stack's own bus by default, or to the one eventBusName names, and may put events on that bus only", () => {
    const putEvents = (from: Record<string, Resource>) =>
      (from.IamRoleLambdaExecution!.Properties.Policies as any[]).flatMap((policy) => policy.PolicyDocument.Statement).find((statement: any) => [statement.Action].flat().includes('events:PutEvents'));
    expect(resources.LedgerEventBus).toMatchObject({ Type: 'AWS::Events::EventBus', Condition: 'LedgerEventsOwnBus', Properties: { Name: 'payscore-sign-plan-test-events' } });
    expect(holds(conditions.LedgerEventsOwnBus)).toBe(true);
    expect(resolved(publisher(resources).Properties.Environment.Variables.EVENT_BUS_NAME, conditions)).toEqual({ Ref: 'LedgerEventBus' });
    expect(resolved(putEvents(resources).Resource, conditions)).toEqual({ 'Fn::GetAtt': ['LedgerEventBus', 'Arn'] });

    expect(holds(withParams.conditions.LedgerEventsOwnBus)).toBe(false);
    expect(resolved(publisher(withParams.resources).Properties.Environment.Variables.EVENT_BUS_NAME, withParams.conditions)).toBe('merchant-bus');
    expect(resolved(putEvents(withParams.resources).Resource, withParams.conditions)).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/merchant-bus',
    });
  });
});
