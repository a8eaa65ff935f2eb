/**
 * The CloudFormation that `serverless package` generates: what a deployment would really create.
 * Packaged in a copy of the project: `serverless package` deletes the project's `.serverless/` first.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRICS, type MetricName } from '../../lib/metrics';
import { copyProject, PROJECT_ROOT, type ProjectCopy } from '../helpers/project-copy';
import { LIFECYCLE_OPERATIONS } from '../../lib/operations/routes';
import { createServiceOrder } from '../../lib/operations/service-order-create';

interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, any>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
}

let copy: ProjectCopy;
let resources: Record<string, Resource>;
/** Packaged with an alarm topic (`--param alarmTopicArn=…`), a bus of the merchant's own and other stage params changed. */
let withAlarms: Template;
let withoutAlarms: Template;
/** The default template's conditions (no bus or topic of the merchant's own). */
let conditions: Record<string, unknown>;
const ofType = (type: string, template: Record<string, Resource> = resources) => Object.values(template).filter((resource) => resource.Type === type);
const TOPIC = 'arn:aws:sns:ap-southeast-1:123456789012:payscore-operators';
/** The schedule expressions of the rules that invoke a function. */
const schedulesOf = (logicalId: string) =>
  ofType('AWS::Events::Rule')
    .filter((rule) => JSON.stringify(rule.Properties.Targets).includes(`"${logicalId}"`))
    .map((rule) => rule.Properties.ScheduleExpression);

// A file in this project's own .serverless/ (the output of the user's last `serverless package`), removed after.
const projectOutput = join(PROJECT_ROOT, '.serverless');
const sentinel = join(projectOutput, `test-sentinel-${process.pid}`);
const outputExisted = existsSync(projectOutput);

beforeAll(async () => {
  await mkdir(projectOutput, { recursive: true });
  await writeFile(sentinel, '');
  copy = await copyProject();
  const pack = async (folder: string, params: string[]): Promise<Template> => {
    await promisify(execFile)('npx', ['serverless', 'package', '--stage', 'test', '--package', folder, ...params.flatMap((param) => ['--param', param])], {
      cwd: copy.dir,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'ap-southeast-1', AWS_PROFILE: '' },
    });
    return JSON.parse(await readFile(join(copy.dir, folder, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  };
  // One after the other: both build in the same work folder.
  withoutAlarms = await pack('.serverless', []);
  withAlarms = await pack('.serverless-alarms', [`alarmTopicArn=${TOPIC}`, 'eventBusName=merchant-bus', 'httpApiRateLimit=50', 'httpApiBurstLimit=80', 'notifyReservedConcurrency=7', 'notifyFailureThreshold=3']);
  resources = withoutAlarms.Resources;
  conditions = withoutAlarms.Conditions ?? {};
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
      if (fn.Handler.includes('publish-ledger-events')) {
        // The stack's, not an account's: no secret, and the ledger only through its stream.
        expect(fn.Environment.Variables).not.toHaveProperty('WECHATPAY_SECRET_ID');
        expect(fn.Environment.Variables).not.toHaveProperty('LEDGER_TABLE');
        continue;
      }
      expect(fn.Environment.Variables.WECHATPAY_SECRET_ID).toMatch(/^payscore\/test\/(merchant|partner)$/);
      expect(fn.Environment.Variables.METRICS_NAMESPACE).toBe('payscore-sign-plan/test');
      // The ledger's name only where the ledger is used: not the certificate refreshers.
      expect(fn.Environment.Variables.LEDGER_TABLE).toBe(fn.Handler.includes('refresh-platform-certificates') ? undefined : 'payscore-sign-plan-test-ledger');
    }
    const notify = functions.filter((fn) => fn.Handler.includes('deduction-notify'));
    expect(notify.map((fn) => fn.Timeout)).toEqual([5, 5]);
    expect(new Set(notify.map((fn) => fn.Environment.Variables.WECHATPAY_SECRET_ID)).size).toBe(2);
  });

  it('refreshes the platform certificates of each account every 12 hours', () => {
    const refreshers = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler.includes('refresh-platform-certificates'));
    expect(new Set(refreshers.map(([, fn]) => fn.Properties.Environment.Variables.WECHATPAY_SECRET_ID))).toEqual(new Set(['payscore/test/merchant', 'payscore/test/partner']));
    for (const [logicalId] of refreshers) expect(schedulesOf(logicalId)).toEqual(['rate(12 hours)']);
  });

  it('reconciles each account every 10 minutes, within 60 s, its bounds from stage params', () => {
    const reconcilers = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler.includes('reconcile-'));
    expect(reconcilers.map(([, fn]) => fn.Properties.Environment.Variables.WECHATPAY_SECRET_ID).sort()).toEqual(['payscore/test/merchant', 'payscore/test/partner']);
    for (const [logicalId, fn] of reconcilers) {
      expect(fn.Properties.Timeout).toBe(60);
      expect(fn.Properties.Environment.Variables).toMatchObject({ RECONCILE_PENDING_AFTER_S: '60', RECONCILE_OPEN_AFTER_S: '3600', RECONCILE_MAX_CALLS: '200', RECONCILE_PER_SECOND: '10' });
      expect(schedulesOf(logicalId)).toEqual(['rate(10 minutes)']);
    }
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
});

describe('least privilege: a role per function, with exactly what it uses', () => {
  const secret = (account: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:payscore/test/${account}-??????` });
  const TABLE = { 'Fn::GetAtt': ['LedgerTable', 'Arn'] };
  const STREAM = { 'Fn::GetAtt': ['LedgerTable', 'StreamArn'] };
  const PENDING_INDEX = { 'Fn::Join': ['', [TABLE, '/index/pending']] };
  const BUS = {
    'Fn::If': ['LedgerEventsOwnBus', { 'Fn::GetAtt': ['LedgerEventBus', 'Arn'] }, { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/' }],
  };
  const read = (account: string) => [['secretsmanager:GetSecretValue', secret(account)]];
  const write = (account: string) => [['secretsmanager:PutSecretValue', secret(account)]];
  const on = (resource: unknown, ...actions: string[]) => actions.map((action) => [`dynamodb:${action}`, resource]);
  /**
   * Every function's grants besides its own logs, as [action, resource] pairs. A new function adds its row: what
   * its code sends (lib/ledger/ledger.ts for the ledger), on its own account's secret only.
   */
  const GRANTS: Record<string, unknown[][]> = {
    // Ledger writes and reads of an object (write-ahead intents, its item, its partition): the table, not its index.
    CreateMerchantServiceOrderLambdaFunction: [...read('merchant'), ...on(TABLE, 'PutItem', 'UpdateItem', 'GetItem', 'Query')],
    CreatePartnerServiceOrderLambdaFunction: [...read('partner'), ...on(TABLE, 'PutItem', 'UpdateItem', 'GetItem', 'Query')],
    // Ledger.recordNotification: the notification's Put, its application's Update, the Get of a version.
    MerchantDeductionNotifyLambdaFunction: [...read('merchant'), ...on(TABLE, 'PutItem', 'UpdateItem', 'GetItem')],
    PartnerDeductionNotifyLambdaFunction: [...read('partner'), ...on(TABLE, 'PutItem', 'UpdateItem', 'GetItem')],
    MerchantLifecycleLambdaFunction: [...read('merchant'), ...on(TABLE, 'PutItem', 'UpdateItem', 'GetItem', 'Query')],
    PartnerLifecycleLambdaFunction: [...read('partner'), ...on(TABLE, 'PutItem', 'UpdateItem', 'GetItem', 'Query')],
    // Its bus (resolved per stage), its stream's reads (the plugin's), its dead-letter queue; no secret, no ledger item.
    PublishLedgerEventsLambdaFunction: [
      ['events:PutEvents', BUS],
      ...on(STREAM, 'DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'),
      ['sqs:SendMessage', { 'Fn::GetAtt': ['LedgerEventsDeadLetterQueue', 'Arn'] }],
    ],
    // The pending index's query, then each object's reads and writes.
    ReconcileMerchantLambdaFunction: [...read('merchant'), ...on(TABLE, 'PutItem', 'UpdateItem', 'GetItem', 'Query'), ...on(PENDING_INDEX, 'Query')],
    ReconcilePartnerLambdaFunction: [...read('partner'), ...on(TABLE, 'PutItem', 'UpdateItem', 'GetItem', 'Query'), ...on(PENDING_INDEX, 'Query')],
    // No ledger at all.
    RefreshMerchantPlatformCertificatesLambdaFunction: [...read('merchant'), ...write('merchant')],
    RefreshPartnerPlatformCertificatesLambdaFunction: [...read('partner'), ...write('partner')],
  };
  const functions = () => Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
  const roleOf = (fn: Resource) => fn.Properties.Role['Fn::GetAtt'][0] as string;
  const statementsOf = (role: string) => resources[role]!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement) as { Effect: string; Action: string | string[]; Resource: unknown }[];
  const isLogs = (statement: { Action: string | string[] }) => [statement.Action].flat().every((action) => action.startsWith('logs:'));
  const pairs = (statements: { Action: string | string[]; Resource: unknown }[]) =>
    statements.flatMap((statement) => [statement.Action].flat().flatMap((action) => [statement.Resource].flat().map((resource) => [action, resource]))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const sorted = (grants: unknown[][]) => [...grants].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it('every function has a role of its own, shared with no other', () => {
    const roles = functions().map(([, fn]) => roleOf(fn));
    expect(new Set(roles).size).toBe(roles.length);
    expect(Object.keys(GRANTS).sort()).toEqual(functions().map(([id]) => id).sort());
  });

  it("role names fit IAM's 64 characters for a stage name of up to 12 (this one is 'test')", () => {
    for (const [, fn] of functions()) expect(resources[roleOf(fn)]!.Properties.RoleName.length + 12 - 'test'.length).toBeLessThanOrEqual(64);
  });

  it.each(Object.keys(GRANTS))('%s: exactly its grants, allowed, on named resources', (logicalId) => {
    const statements = statementsOf(roleOf(resources[logicalId]!));
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
    const granted = statements.filter((statement) => !isLogs(statement));
    expect(pairs(granted)).toEqual(sorted(GRANTS[logicalId]!));
    expect(JSON.stringify(granted)).not.toMatch(/\*/);
  });

  it("each writes its own log group's streams only", () => {
    for (const [, fn] of functions()) {
      const logs = statementsOf(roleOf(fn)).filter(isLogs);
      const name = resources[fn.DependsOn!.at(-1) as string]!.Properties.LogGroupName as string;
      expect(logs.map((statement) => statement.Resource)).toEqual([[{ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${name}:*:*` }]]);
    }
  });

  // The framework still generates it (and puts a stream event's reads there too): nothing may assume it.
  it("the framework's shared role is no function's, nor referenced by anything", () => {
    expect(functions().map(([, fn]) => roleOf(fn))).not.toContain('IamRoleLambdaExecution');
    const others = Object.entries(resources).filter(([id]) => id !== 'IamRoleLambdaExecution');
    expect(JSON.stringify(others)).not.toContain('"IamRoleLambdaExecution"');
  });
});

describe('load limits', () => {
  const stage = (template: Template) => ofType('AWS::ApiGatewayV2::Stage', template.Resources)[0]!.Properties.DefaultRouteSettings;
  const notify = (template: Template) => ofType('AWS::Lambda::Function', template.Resources).filter((fn) => fn.Properties.Handler.includes('deduction-notify'));

  it('the HTTP API stage throttles every route: rate and burst from stage params', () => {
    expect(stage(withoutAlarms)).toEqual({ DetailedMetricsEnabled: false, ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
    expect(stage(withAlarms)).toMatchObject({ ThrottlingRateLimit: '50', ThrottlingBurstLimit: '80' });
  });

  it('the notify functions reserve their concurrency (a stage param); no other function does', () => {
    expect(notify(withoutAlarms).map((fn) => fn.Properties.ReservedConcurrentExecutions)).toEqual([20, 20]);
    expect(notify(withAlarms).map((fn) => fn.Properties.ReservedConcurrentExecutions)).toEqual([7, 7]);
    const others = ofType('AWS::Lambda::Function').filter((fn) => !fn.Properties.Handler.includes('deduction-notify'));
    expect(others.map((fn) => fn.Properties.ReservedConcurrentExecutions)).toEqual(others.map(() => undefined));
  });
});

describe('alarms and the dashboard', () => {
  const alarms = (template: Template) => Object.fromEntries(Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm'));
  const NAMESPACE = 'payscore-sign-plan/test';
  const functionName = (logicalId: string) => ({ Ref: logicalId });
  const lambdaMetric = (name: string, logicalId: string, stat: string) => ({
    Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: [{ Name: 'FunctionName', Value: functionName(logicalId) }] },
    Period: 300,
    Stat: stat,
  });
  const NOTIFY = ['MerchantDeductionNotifyLambdaFunction', 'PartnerDeductionNotifyLambdaFunction'];

  it('without alarmTopicArn every alarm is conditioned out; with it, each tells the topic when it fires and when it clears', () => {
    expect(withoutAlarms.Conditions?.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(withAlarms.Conditions?.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [TOPIC, ''] }] });
    expect(Object.keys(alarms(withAlarms)).sort()).toEqual(
      [
        'LedgerEventsDeadLetterAlarm',
        'LedgerWriteFailuresAlarm',
        'NotifyDurationAlarm',
        'NotifyFailuresAlarm',
        'ReconciliationLeftAlarm',
        'ReconciliationRepairedAlarm',
        'RefreshMerchantPlatformCertificatesAlarm',
        'RefreshPartnerPlatformCertificatesAlarm',
      ].sort(),
    );
    for (const alarm of [...Object.values(alarms(withAlarms)), ...Object.values(alarms(withoutAlarms))]) expect(alarm.Condition).toBe('HasAlarmTopic');
    for (const alarm of Object.values(alarms(withAlarms))) expect(alarm.Properties).toMatchObject({ AlarmActions: [TOPIC], OKActions: [TOPIC], TreatMissingData: 'notBreaching' });
  });

  it('notify failures above the threshold (a stage param) in 5 minutes: ours, and timeouts and throttles the code never sees', () => {
    const alarm = alarms(withAlarms).NotifyFailuresAlarm!.Properties;
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: '3', EvaluationPeriods: 1 });
    expect(alarms(withoutAlarms).NotifyFailuresAlarm!.Properties.Threshold).toBe(5);
    const byId = Object.fromEntries(alarm.Metrics.map((metric: any) => [metric.Id, metric]));
    expect(byId.failures).toMatchObject({ Expression: 'FILL(ours, 0) + FILL(merchantErrors, 0) + FILL(partnerErrors, 0) + FILL(merchantThrottles, 0) + FILL(partnerThrottles, 0)' });
    expect(byId.ours.MetricStat).toEqual({ Metric: { Namespace: NAMESPACE, MetricName: 'NotifyFailures' }, Period: 300, Stat: 'Sum' });
    expect(byId.merchantErrors.MetricStat).toEqual(lambdaMetric('Errors', NOTIFY[0]!, 'Sum'));
    expect(byId.partnerThrottles.MetricStat).toEqual(lambdaMetric('Throttles', NOTIFY[1]!, 'Sum'));
    expect(alarm.Metrics.filter((metric: any) => metric.ReturnData !== false).map((metric: any) => metric.Id)).toEqual(['failures']);
  });

  it('any ledger write failure, within a minute', () => {
    expect(alarms(withAlarms).LedgerWriteFailuresAlarm!.Properties).toMatchObject({
      Namespace: NAMESPACE,
      MetricName: 'LedgerWriteFailures',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  });

  it('each refresher failing two runs in a row: its schedule is the period, every attempt of both runs failed', () => {
    for (const account of ['Merchant', 'Partner']) {
      const target = `"Refresh${account}PlatformCertificatesLambdaFunction"`;
      expect(ofType('AWS::Events::Rule', withAlarms.Resources).filter((rule) => JSON.stringify(rule.Properties.Targets).includes(target)).map((rule) => rule.Properties.ScheduleExpression)).toEqual(['rate(12 hours)']);
    }
    for (const account of ['Merchant', 'Partner']) {
      expect(alarms(withAlarms)[`Refresh${account}PlatformCertificatesAlarm`]!.Properties).toMatchObject({
        Namespace: NAMESPACE,
        MetricName: 'CertificateRefreshFailed',
        Dimensions: [{ Name: 'function_name', Value: functionName(`Refresh${account}PlatformCertificatesLambdaFunction`) }],
        Statistic: 'Minimum',
        Period: 12 * 3600,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    }
  });

  it('the reconciliation repairing anything in a run, or leaving work three runs in a row, on the period of its schedule', () => {
    // The schedule and the alarms' period are two stage params that must agree: their defaults do.
    const defaults = (parse(readFileSync(join(PROJECT_ROOT, 'serverless.yml'), 'utf8')) as { params: { default: { reconcileSchedule: string; reconcilePeriodSeconds: number } } }).params.default;
    const reconciliation = { schedule: defaults.reconcileSchedule, periodSeconds: defaults.reconcilePeriodSeconds };
    const [, count, unit] = /^rate\((\d+) (minutes?|hours?)\)$/.exec(reconciliation.schedule)!;
    expect(reconciliation.periodSeconds).toBe(Number(count) * (unit!.startsWith('hour') ? 3600 : 60));
    // Whichever functions reconcile run on that schedule.
    for (const [logicalId] of Object.entries(withAlarms.Resources).filter(([, fn]) => fn.Type === 'AWS::Lambda::Function' && /reconcil/i.test(fn.Properties.Handler))) {
      const rule = ofType('AWS::Events::Rule', withAlarms.Resources).find((candidate) => JSON.stringify(candidate.Properties.Targets).includes(`"${logicalId}"`));
      expect(rule?.Properties.ScheduleExpression).toBe(reconciliation.schedule);
    }
    expect(alarms(withAlarms).ReconciliationRepairedAlarm!.Properties).toMatchObject({
      Namespace: NAMESPACE,
      MetricName: 'ReconciliationRepaired',
      Statistic: 'Sum',
      Period: reconciliation.periodSeconds,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    expect(alarms(withAlarms).ReconciliationLeftAlarm!.Properties).toMatchObject({
      Namespace: NAMESPACE,
      MetricName: 'ReconciliationLeft',
      Statistic: 'Sum',
      Period: reconciliation.periodSeconds,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it("notify p99 duration above 3 s, the slower of the two functions (WeChat Pay's limit is 5 s)", () => {
    const alarm = alarms(withAlarms).NotifyDurationAlarm!.Properties;
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 3000, EvaluationPeriods: 1 });
    expect(alarm.Metrics).toEqual([
      { Id: 'slowest', Expression: 'MAX([merchant, partner])', Label: 'notify p99 duration' },
      { Id: 'merchant', ReturnData: false, MetricStat: lambdaMetric('Duration', NOTIFY[0]!, 'p99') },
      { Id: 'partner', ReturnData: false, MetricStat: lambdaMetric('Duration', NOTIFY[1]!, 'p99') },
    ]);
  });

  /** Our metrics that the template names, with the dimensions it names them by. */
  function namedMetrics(): { name: string; dimensions: string[]; where: string }[] {
    const found: { name: string; dimensions: string[]; where: string }[] = [];
    for (const [id, alarm] of Object.entries(alarms(withAlarms))) {
      const stats = alarm.Properties.Metrics ? alarm.Properties.Metrics.flatMap((metric: any) => (metric.MetricStat ? [metric.MetricStat.Metric] : [])) : [alarm.Properties];
      for (const metric of stats) if (metric.Namespace === NAMESPACE) found.push({ name: metric.MetricName, dimensions: (metric.Dimensions ?? []).map((dimension: any) => dimension.Name), where: id });
    }
    for (const widget of dashboard().widgets) {
      for (const row of widget.properties.metrics) {
        const search = typeof row[0] === 'object' ? /^SEARCH\('\{"([^"]+)",?([^}]*)\} MetricName="([^"]+)"'/.exec(row[0].expression) : null;
        if (search) {
          expect(search[1]).toBe(NAMESPACE);
          found.push({ name: search[3]!, dimensions: search[2] ? search[2].split(',') : [], where: widget.properties.title });
        } else if (row[0] === NAMESPACE) {
          const names = row.slice(2).filter((part: unknown) => typeof part === 'string');
          found.push({ name: row[1], dimensions: names.filter((_: unknown, index: number) => index % 2 === 0), where: widget.properties.title });
        }
      }
    }
    return found;
  }
  const dashboard = () => JSON.parse(ofType('AWS::CloudWatch::Dashboard', withAlarms.Resources)[0]!.Properties.DashboardBody) as { widgets: { properties: { title: string; region: string; metrics: any[][]; annotations?: any } }[] };

  it('every metric of ours an alarm or the dashboard names is one lib/metrics.ts emits, by the dimensions it emits', () => {
    const named = namedMetrics();
    expect(named.length).toBeGreaterThan(10);
    for (const { name, dimensions, where } of named) {
      expect(Object.keys(METRICS), where).toContain(name);
      // Each metric is emitted as a total (no dimensions) and by its own dimensions, nothing else.
      expect([[], [...METRICS[name as MetricName].dimensions]], `${where}: ${name}`).toContainEqual(dimensions);
    }
  });

  it('the dashboard shows notifications by outcome and type, rejections by code, calls by status, latency p50/p99, notify duration against 5 s, the reconciliation', () => {
    const board = dashboard();
    expect(ofType('AWS::CloudWatch::Dashboard', withoutAlarms.Resources)).toHaveLength(1);
    expect(new Set(board.widgets.map((widget) => widget.properties.region))).toEqual(new Set(['ap-southeast-1']));
    const shown = namedMetrics().map(({ name, dimensions }) => `${name}(${dimensions.join(',')})`);
    for (const expected of [
      'Notifications(outcome,event_type)',
      'NotificationRejections(code)',
      'SignatureProbes()',
      'WechatpayCalls(operation,status)',
      'WechatpayLatency(operation)',
      'ReconciliationFound()',
      'ReconciliationRepaired()',
      'ReconciliationLeft()',
      'LedgerWriteFailures(operation)',
      'SecretRefreshes(trigger,outcome)',
      'CertificateRefreshes(outcome)',
    ]) {
      expect(shown).toContain(expected);
    }
    const latency = board.widgets.find((widget) => widget.properties.title.includes('latency'))!;
    expect(latency.properties.metrics.map((row) => /'(p\d+)'/.exec(row[0].expression)?.[1])).toEqual(['p50', 'p99']);
    const duration = board.widgets.find((widget) => widget.properties.title.includes('Notify duration'))!;
    const notifyNames = NOTIFY.map((id) => withAlarms.Resources[id]!.Properties.FunctionName);
    expect(new Set(duration.properties.metrics.map((row) => row[3]))).toEqual(new Set(notifyNames));
    expect(duration.properties.annotations.horizontal.map((line: { value: number }) => line.value)).toEqual([5000, 3000]);
    const deadLetters = board.widgets.find((widget) => widget.properties.title.startsWith('Dead letters'))!;
    expect(deadLetters.properties.metrics).toEqual([['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', withAlarms.Resources.LedgerEventsDeadLetterQueue!.Properties.QueueName, { stat: 'Maximum', label: 'batches waiting' }]]);
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
  });

  it('alarms on the first dead-lettered batch, to alarmTopicArn; no alarm while the param is unset', () => {
    const alarm = withAlarms.Resources.LedgerEventsDeadLetterAlarm!;
    expect(alarm).toMatchObject({ Type: 'AWS::CloudWatch::Alarm', Condition: 'HasAlarmTopic' });
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['LedgerEventsDeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC],
    });
    expect(holds(conditions.HasAlarmTopic)).toBe(false);
  });

  it("publishes to the stack's own bus by default, or to the one eventBusName names, and may put events on that bus only", () => {
    const putEvents = (from: Record<string, Resource>) =>
      (from[publisher(from).Properties.Role['Fn::GetAtt'][0]]!.Properties.Policies as any[]).flatMap((policy) => policy.PolicyDocument.Statement).find((statement: any) => [statement.Action].flat().includes('events:PutEvents'));
    expect(resources.LedgerEventBus).toMatchObject({ Type: 'AWS::Events::EventBus', Condition: 'LedgerEventsOwnBus', Properties: { Name: 'payscore-sign-plan-test-events' } });
    expect(holds(conditions.LedgerEventsOwnBus)).toBe(true);
    expect(resolved(publisher(resources).Properties.Environment.Variables.EVENT_BUS_NAME, conditions)).toEqual({ Ref: 'LedgerEventBus' });
    expect(resolved(putEvents(resources).Resource, conditions)).toEqual({ 'Fn::GetAtt': ['LedgerEventBus', 'Arn'] });

    expect(holds(withAlarms.Conditions!.LedgerEventsOwnBus)).toBe(false);
    expect(resolved(publisher(withAlarms.Resources).Properties.Environment.Variables.EVENT_BUS_NAME, withAlarms.Conditions!)).toBe('merchant-bus');
    expect(resolved(putEvents(withAlarms.Resources).Resource, withAlarms.Conditions!)).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/merchant-bus',
    });
  });
});
