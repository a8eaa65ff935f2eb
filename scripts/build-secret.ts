/**
 * `npm run secret -- …`: writes the account secret JSON from the merchant's
 * files, validated. The APIv3 key is read from a file or WECHATPAY_API_V3_KEY,
 * never from the command line (shell history).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildAccountSecret } from '../lib/secrets/build-account-secret';

const USAGE = `usage: npm run secret -- --mchid 1900000109 --private-key apiclient_key.pem --certificate apiclient_cert.pem \\
         (--api-v3-key-file apiv3.txt | env WECHATPAY_API_V3_KEY) \\
         [--public-key pub_key.pem --public-key-id PUB_KEY_ID_…] [--platform-certificate wechatpay_SERIAL.pem …] [--out secret.json]`;

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
  if (Boolean(values['public-key']) !== Boolean(values['public-key-id'])) throw new Error('--public-key and --public-key-id go together');
  if (!values['public-key'] && !values['platform-certificate']) throw new Error('give the WeChat Pay public key (--public-key, --public-key-id) and/or --platform-certificate');
  const apiV3Key = values['api-v3-key-file'] ? readFileSync(values['api-v3-key-file'], 'utf8').trim() : process.env.WECHATPAY_API_V3_KEY;
  if (!apiV3Key) throw new Error('give the APIv3 key with --api-v3-key-file or WECHATPAY_API_V3_KEY');

  const secret = buildAccountSecret({
    mchid: values.mchid!,
    merchantPrivateKeyPem: readFileSync(values['private-key']!, 'utf8'),
    merchantCertificatePem: readFileSync(values.certificate!, 'utf8'),
    apiV3Key,
    ...(values['public-key'] ? { wechatpayPublicKey: { id: values['public-key-id']!, pem: readFileSync(values['public-key'], 'utf8') } } : {}),
    platformCertificatePems: (values['platform-certificate'] ?? []).map((file) => readFileSync(file, 'utf8')),
  });
  if (!values.out) return void process.stdout.write(`${secret}\n`);
  writeFileSync(values.out, `${secret}\n`, { mode: 0o600 });
  console.error(`${values.out}: valid secret for mchid ${values.mchid} (mode 600). Store it, then delete the file:`);
  console.error(`  aws secretsmanager create-secret --name payscore/prod/merchant --secret-string file://${values.out}`);
}

try {
  main();
} catch (error) {
  console.error(`npm run secret: ${(error as Error).message}`);
  process.exit(1);
}
