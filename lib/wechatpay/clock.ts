/** Milliseconds since the Unix epoch. Injected so that verification can be tested at a fixed time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export const unixSeconds = (clock: Clock): number => Math.floor(clock() / 1000);
