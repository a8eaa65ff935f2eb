/**
 * A local Secrets Manager that the real `@aws-sdk/client-secrets-manager` talks to
 * (AWS JSON 1.1 over http://127.0.0.1), with call counting and fault injection for tests.
 */
import type { IncomingMessage } from 'node:http';
import { AwsError, awsJsonServer, toAwsError } from './aws-json';
import { CallFaults, type CallFault } from './call-faults';
import { closeServer, listen } from './http-server';
import { SecretStore } from './secret-store';
import { isSecretsManagerOperation, secretsManagerOperations, type SecretsManagerOperation } from './secrets-manager-operations';

export interface SecretsManagerOptions {
  port?: number;
  host?: string;
  /** SecretString by secret name. */
  secrets: Record<string, string>;
}

export interface SecretsManagerStandIn {
  url: string;
  /** Calls received per operation, failed and hanging ones included. */
  readonly calls: Readonly<Record<SecretsManagerOperation, number>>;
  /** Stores a new current version of `secretId` (created if new), as a rotation outside the API would. */
  setSecret(secretId: string, secretString: string): void;
  /** The next `count` calls answer 500 InternalServiceError (`error`) or no answer at all (`hang`). */
  fail(count: number, mode?: CallFault): void;
  /** Answers the hanging calls normally, now. */
  release(): void;
  /** Stops the server; hanging calls are cut off. */
  close(): Promise<void>;
}

const TARGET_PREFIX = 'secretsmanager.';

function operationOf(request: IncomingMessage): SecretsManagerOperation {
  // Like AWS, authentication is checked first; the signature itself is not verified.
  if (!request.headers.authorization) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const target = request.headers['x-amz-target'];
  const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (!isSecretsManagerOperation(operation)) throw new AwsError('UnknownOperationException', `Unknown operation: ${String(target)}`);
  return operation;
}

const toServiceError = (error: unknown): AwsError => toAwsError(error, 'Secrets Manager', 'InternalServiceError');

export async function startSecretsManager({ port = 0, host = '127.0.0.1', secrets }: SecretsManagerOptions): Promise<SecretsManagerStandIn> {
  const store = new SecretStore(secrets);
  const faults = new CallFaults();
  const calls = Object.fromEntries(Object.keys(secretsManagerOperations).map((operation) => [operation, 0])) as Record<SecretsManagerOperation, number>;

  const server = awsJsonServer({
    faults,
    unavailable: new AwsError('InternalServiceError', 'Injected fault: Secrets Manager is unavailable.', 500),
    toError: toServiceError,
    accept: (request, input) => {
      const operation = operationOf(request);
      calls[operation] += 1;
      return () => secretsManagerOperations[operation](store, input);
    },
  });
  const url = await listen(server, port, host);

  return {
    url,
    calls,
    setSecret: (secretId, secretString) => void store.set(secretId, secretString),
    fail: (count, mode = 'error') => faults.plan(count, mode),
    release: () => faults.release(),
    close: () => closeServer(server),
  };
}
