/** The secrets of the Secrets Manager stand-in: versions and staging labels as AWS keeps them. */
import { randomInt, randomUUID } from 'node:crypto';
import { AwsError } from './aws-json';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-account';

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';

export interface SecretVersion {
  versionId: string;
  secretString: string;
  stages: string[];
  createdDate: Date;
}

export interface StoredSecret {
  name: string;
  arn: string;
  createdDate: Date;
  versions: SecretVersion[];
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** AWS appends six random characters to the name in a secret's ARN. */
const arnSuffix = (): string => Array.from({ length: 6 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

export class SecretStore {
  readonly #secrets = new Map<string, StoredSecret>();

  constructor(secrets: Record<string, string>) {
    for (const [name, secretString] of Object.entries(secrets)) this.set(name, secretString);
  }

  /** Stores a new current version, creating the secret if needed: a rotation done outside the API. */
  set(name: string, secretString: string): SecretVersion {
    let secret = this.#secrets.get(name);
    if (!secret) {
      secret = { name, arn: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:secret:${name}-${arnSuffix()}`, createdDate: new Date(), versions: [] };
      this.#secrets.set(name, secret);
    }
    return addVersion(secret, secretString, randomUUID());
  }

  /**
   * By name, or by an ARN whose name part is the name, with or without the six-character
   * suffix (region, account and suffix are not checked, so a deployed ARN works locally).
   */
  find(secretId: string): StoredSecret {
    const secret = secretId.startsWith('arn:') ? this.#findByArn(secretId) : this.#secrets.get(secretId);
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  #findByArn(arn: string): StoredSecret | undefined {
    const namePart = arn.split(':secret:')[1] ?? '';
    return this.#secrets.get(namePart) ?? this.#secrets.get(namePart.replace(/-[A-Za-z0-9]{6}$/, ''));
  }
}

export function findVersion(secret: StoredSecret, { versionId, stage }: { versionId?: string; stage?: string }): SecretVersion {
  const version = versionId
    ? secret.versions.find((candidate) => candidate.versionId === versionId && (!stage || candidate.stages.includes(stage)))
    : secret.versions.find((candidate) => candidate.stages.includes(stage ?? CURRENT));
  if (!version) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`}`);
  return version;
}

/** Adds `versionId` as the current version; the current one becomes the previous. Idempotent per versionId, as PutSecretValue is. */
export function addVersion(secret: StoredSecret, secretString: string, versionId: string): SecretVersion {
  const existing = secret.versions.find((version) => version.versionId === versionId);
  if (existing) {
    if (existing.secretString !== secretString) throw new AwsError('ResourceExistsException', `A resource with the ID you requested already exists.`);
    return existing;
  }
  for (const version of secret.versions) {
    version.stages = version.stages.filter((stage) => stage !== PREVIOUS).map((stage) => (stage === CURRENT ? PREVIOUS : stage));
  }
  const version = { versionId, secretString, stages: [CURRENT], createdDate: new Date() };
  secret.versions.push(version);
  return version;
}
