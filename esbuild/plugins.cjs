/**
 * esbuild plugins for `serverless package` (custom.esbuild.plugins).
 *
 * @middy/core imports node:stream/web and node:stream/promises at load for response
 * streaming, which these functions never use, and node:timers, whose ESM facade loads
 * timers/promises too. Together ~15 M instructions, some 2.5 % of a cold start (callgrind).
 * The stand-ins beside this file load the streaming modules at the first streamed response.
 */
const path = require('node:path');

const SHIMS = {
  'node:stream/web': 'lazy-stream-web.ts',
  'node:stream/promises': 'lazy-stream-promises.ts',
  'node:timers': 'global-timers.ts',
};

const middyCore = `${path.sep}node_modules${path.sep}@middy${path.sep}core${path.sep}`;

module.exports = [
  {
    name: 'lazy-middy-streams',
    setup(build) {
      build.onResolve({ filter: /^node:(stream\/web|stream\/promises|timers)$/ }, (args) =>
        args.importer.includes(middyCore) ? { path: path.join(__dirname, SHIMS[args.path]) } : undefined,
      );
    },
  },
];
