import fc from 'fast-check';

// Property tests must give the same verdict on every run; FC_SEED explores other inputs on demand.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261122) });
