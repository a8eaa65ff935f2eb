/**
 * `npm run secret -- …`: writes the account secret JSON from the merchant's
 * files, validated. The APIv3 key is read from a file or WECHATPAY_API_V3_KEY,
 * never from the command line (shell history). Paths are the user's: relative to
 * the folder npm was run in (INIT_CWD), not the project root npm runs scripts in.
 */
import { closeSync, fchmodSync, openSync, readFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAccountSecret } from '../lib/secrets/build-account-secret';

const USAGE = `usage: npm run secret -- --mchid 1900000109 --private-key apiclient_key.pem --certificate apiclient_cert.pem \\
         (--api-v3-key-file apiv3.txt | env WECHATPAY_API_V3_KEY) \\
         [--public-key pub_key.pem --public-key-id PUB_KEY_ID_…] [--platform-certificate wechatpay_SERIAL.pem …] \\
         --out secret.json   (or --out - for standard output: npm run --silent secret -- … --out -)`;

const userPath = (path: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), path);
const read = (path: string): string => readFileSync(userPath(path), 'utf8');

/** The secret holds the private key: owner-only from its first byte, also when the file already existed. */
function writePrivately(path: string, content: string): void {
  const fd = openSync(userPath(path), 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      mchid: { type: 'string' },
      'private-key': { type: 'string' },
      certificate: { type: 'string' },
      'api-v3-key-file': { type: 'string' },
      'public-key': { type: 'string' },
      'public-key-id': { type: 'string' },
      'platform-certificate': { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  const missing = (['mchid', 'private-key', 'certificate'] as const).filter((name) => !values[name]);
  if (missing.length > 0) throw new Error(`missing --${missing.join(', --')}\n${USAGE}`);
  if (!values.out) throw new Error(`give --out secret.json (a file only you can read) or --out - (standard output): the secret holds the private key\n${USAGE}`);
  if (Boolean(values['public-key']) !== Boolean(values['public-key-id'])) throw new Error('--public-key and --public-key-id go together');
  if (!values['public-key'] && !values['platform-certificate']) throw new Error('give the WeChat Pay public key (--public-key, --public-key-id) and/or --platform-certificate');
  const apiV3Key = values['api-v3-key-file'] ? read(values['api-v3-key-file']).trim() : process.env.WECHATPAY_API_V3_KEY;
  if (!apiV3Key) throw new Error('give the APIv3 key with --api-v3-key-file or WECHATPAY_API_V3_KEY');

  const secret = buildAccountSecret({
    mchid: values.mchid!,
    merchantPrivateKeyPem: read(values['private-key']!),
    merchantCertificatePem: read(values.certificate!),
    apiV3Key,
    ...(values['public-key'] ? { wechatpayPublicKey: { id: values['public-key-id']!, pem: read(values['public-key']) } } : {}),
    platformCertificatePems: (values['platform-certificate'] ?? []).map(read),
  });
  if (values.out === '-') return void process.stdout.write(`${secret}\n`);
  writePrivately(values.out, `${secret}\n`);
  console.error(`${values.out}: valid secret for mchid ${values.mchid} (mode 600). Store it, then delete the file:`);
  console.error(`  aws secretsmanager create-secret --name payscore/prod/merchant --secret-string file://${values.out}`);
}

try {
  main();
} catch (error) {
  console.error(`npm run secret: ${(error as Error).message}`);
  process.exit(1);
}
