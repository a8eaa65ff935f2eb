/** Every ratio `npm run bench` checks, ours over its reference: the table and reports/bench.json both say these. */
export const TARGETS = {
  /** Over one verify, one decrypt and two JSON.parse. */
  notifyWarm: 1.5,
  /** A function that calls WeChat Pay (create, lifecycle) over its contract's floor: the ledger calls SPEC requires, one sign, one keep-alive POST, one verify. */
  callWarm: 1.3,
  /** Over each function's contract floor (bench/floors/). */
  coldStart: 1.1,
  /** Over a bundle of only the SDK clients the functions use. */
  bundle: 1.15,
  /** Over the same notify function written with a peer SDK (bench/peers/): never slower, never larger. */
  peer: 1,
} as const;
