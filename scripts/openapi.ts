/** `npm run openapi`: writes openapi.json, the API description (dev/openapi/document.ts), from the routes' own schemas. */
import { writeFileSync } from 'node:fs';
import { openApiText } from '../dev/openapi/document';

const file = new URL('../openapi.json', import.meta.url);
writeFileSync(file, openApiText());
console.log(`wrote ${file.pathname}`);
