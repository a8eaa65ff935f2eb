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

interface Resource {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

let copy: ProjectCopy;
let resources: Record<string, Resource>;
const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);
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
  await promisify(execFile)('npx', ['serverless', 'package', '--stage', 'test'], {
    cwd: copy.dir,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'ap-southeast-1', AWS_PROFILE: '' },
  });
  resources = JSON.parse(await readFile(join(copy.dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
}, 120_000);
afterAll(async () => {
  await rm(outputExisted ? sentinel : projectOutput, { recursive: true, force: true });
  await copy?.remove();
});

describe('packaged CloudFormation', () => {
  it("leaves this project's own .serverless/ as it was", () => {
    expect(existsSync(sentinel)).toBe(true);
  });

  it('has the four routes of SPEC, IAM authorization on the create routes only', () => {
    const routes = Object.fromEntries(ofType('AWS::ApiGatewayV2::Route').map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType ?? 'NONE']));
    expect(routes).toEqual({
      'POST /merchant/service-orders': 'AWS_IAM',
      'POST /partner/service-orders': 'AWS_IAM',
      'POST /merchant/notify': 'NONE',
      'POST /partner/notify': 'NONE',
    });
  });

  it('runs six functions on nodejs24.x arm64, each with its own secret, notify answering inside 5 s', () => {
    const functions = ofType('AWS::Lambda::Function').map((fn) => fn.Properties);
    expect(functions).toHaveLength(6);
    for (const fn of functions) {
      expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
      expect(fn.Environment.Variables.WECHATPAY_SECRET_ID).toMatch(/^payscore\/test\/(merchant|partner)$/);
      expect(fn.Environment.Variables.LEDGER_TABLE).toBe('payscore-sign-plan-test-ledger');
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

  it('grants only the secret reads and writes and ledger writes used, on named resources, never *', () => {
    const [role] = ofType('AWS::IAM::Role');
    const statements = role!.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
    const granted = statements.filter((statement: any) => [statement.Action].flat().some((action: string) => !action.startsWith('logs:')));
    expect(granted.map((statement: any) => [statement.Action].flat()).flat().sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
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
