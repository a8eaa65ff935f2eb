/** Scheduled every 12 h per account (and on demand: `npm run certificates`): WeChat Pay's platform certificates into the account secret. */
import { refreshPlatformCertificatesFunction } from '../lib/wiring/refresh-platform-certificates';

export const handler = refreshPlatformCertificatesFunction(process.env);
