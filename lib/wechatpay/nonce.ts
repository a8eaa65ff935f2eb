import { randomBytes } from 'node:crypto';

/** Produces the nonce of one signed message. Injected so that signatures can be reproduced in tests. */
export type NonceSource = () => string;

/** 32 upper-case hex characters (128 bits) from the CSPRNG. */
export const randomNonce: NonceSource = () => randomBytes(16).toString('hex').toUpperCase();
