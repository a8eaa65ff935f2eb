// node:timers as @middy/core uses it (`setTimeout`): the global one, without node:timers' ESM
// facade, whose every-export namespace also loads timers/promises.
export const { setTimeout } = globalThis;
