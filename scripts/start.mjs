// `npm start` will run the local stack (WeChat Pay sandbox, AWS stand-ins,
// serverless-offline). Until that lands it says so and fails rather than pretend.
console.error('npm start: the local stack is not built yet (tracked as issue 6). Run `npm test` meanwhile.');
process.exit(1);
