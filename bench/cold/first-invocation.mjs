// A fresh container in miniature: import a bundle, serve one invocation, exit.
// Usage: node first-invocation.mjs BUNDLE.mjs EVENT.json EXPECTED_STATUS
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile, expectedStatus] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const context = { awsRequestId: 'cold-start', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 };
const response = await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context);
if (response.statusCode !== Number(expectedStatus)) {
  console.error(`${bundle} answered ${response.statusCode}: ${response.body}`);
  process.exit(1);
}
// As Lambda freezes the container after the answer: keep-alive sockets must not keep it running.
process.exit(0);
