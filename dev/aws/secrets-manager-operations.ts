/** The Secrets Manager operations the stand-in answers, input and output as in the AWS API reference. */
import { randomUUID } from 'node:crypto';
import { AwsError, type JsonObject } from './aws-json';
import { addVersion, findVersion, type SecretStore } from './secret-store';

/** JSON 1.1 timestamps are epoch seconds. */
const epochSeconds = (date: Date): number => date.getTime() / 1000;

function requiredString(input: JsonObject, member: string): string {
  const value = input[member];
  if (typeof value !== 'string') throw new AwsError('InvalidParameterException', `${member} must be a string.`);
  return value;
}

function optionalString(input: JsonObject, member: string): string | undefined {
  return input[member] === undefined ? undefined : requiredString(input, member);
}

export const secretsManagerOperations = {
  GetSecretValue(store: SecretStore, input: JsonObject) {
    const secret = store.find(requiredString(input, 'SecretId'));
    const version = findVersion(secret, { versionId: optionalString(input, 'VersionId'), stage: optionalString(input, 'VersionStage') });
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.secretString,
      VersionStages: version.stages,
      CreatedDate: epochSeconds(version.createdDate),
    };
  },

  PutSecretValue(store: SecretStore, input: JsonObject) {
    const secret = store.find(requiredString(input, 'SecretId'));
    if (input.SecretString === undefined) throw new AwsError('InvalidRequestException', 'This stand-in stores SecretString only: you must provide a SecretString.');
    // The SDK fills ClientRequestToken in; it becomes the version id, which makes retries idempotent.
    const version = addVersion(secret, requiredString(input, 'SecretString'), optionalString(input, 'ClientRequestToken') ?? randomUUID());
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
  },

  DescribeSecret(store: SecretStore, input: JsonObject) {
    const secret = store.find(requiredString(input, 'SecretId'));
    const latest = secret.versions.at(-1)!;
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: epochSeconds(secret.createdDate),
      LastChangedDate: epochSeconds(latest.createdDate),
      VersionIdsToStages: Object.fromEntries(secret.versions.filter((version) => version.stages.length > 0).map((version) => [version.versionId, version.stages])),
    };
  },
} satisfies Record<string, (store: SecretStore, input: JsonObject) => JsonObject>;

export type SecretsManagerOperation = keyof typeof secretsManagerOperations;

export const isSecretsManagerOperation = (name: string): name is SecretsManagerOperation => Object.hasOwn(secretsManagerOperations, name);
