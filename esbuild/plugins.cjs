/**
 * esbuild plugins for `serverless package` (custom.esbuild.plugins).
 *
 * `node:http` and `node:https` as CommonJS requires, not ES imports. An ES import of a
 * builtin builds its module namespace by reading every export, and `node:http`'s
 * WebSocket, CloseEvent and MessageEvent are getters that load undici, which these
 * functions never use (https://github.com/nodejs/node/issues/59686). The AWS SDK's
 * ES modules import `http` and `https`, so every cold start paid for it
 * (docs/performance.md). A require gives the same module object without the namespace.
 * It uses the `require` that custom.esbuild's banner defines.
 */
const BUILTIN_HTTP = /^(node:)?https?$/;
const NAMESPACE = 'node-http-as-commonjs';

module.exports = [
  {
    name: 'node-http-as-commonjs',
    setup(build) {
      build.onResolve({ filter: BUILTIN_HTTP }, (args) =>
        args.namespace === NAMESPACE ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: NAMESPACE },
      );
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: `module.exports = require('node:${args.path}');`, loader: 'js' }));
    },
  },
];
