/**
 * Cold start: a fresh `node` importing the packaged bundle and serving its
 * first invocation against the stand-ins, against a fresh `node` importing a
 * bundle of only the Secrets Manager client that fetches the same secret and
 * parses its keys. Timed from spawn to exit; the kinds run interleaved. Two
 * references without a target: that floor plus one write through the DynamoDB
 * client (splits our overhead into the SDK's part and our code's), and the create
 * contract's own floor (the same plus one signed, verified WeChat Pay call).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOrderEvent, notificationEvent } from '../events';
import { interleave } from '../interleave';
import type { BenchOptions } from '../options';
import type { Bundle, MeasuredFunction, PackagedFunction } from '../package-functions';
import { run } from '../processes';
import { functionNodeOptions } from '../serverless-settings';
import { compare } from '../stats';
import type { BenchWorld } from '../world';

const DRIVER = fileURLToPath(new URL('../cold/first-invocation.mjs', import.meta.url));

export async function coldStart(world: BenchWorld, packaged: Record<MeasuredFunction, PackagedFunction>, floors: { secret: Bundle; secretAndLedger: Bundle; createContract: Bundle }, dir: string, options: BenchOptions) {
  // Only what Lambda would give the process: serverless.yml's NODE_OPTIONS and the function's variables.
  const env = { PATH: process.env.PATH, ...world.functionEnvironment, NODE_OPTIONS: functionNodeOptions() };
  const kinds = {
    notify: { bundle: packaged.notify, event: () => notificationEvent(world.keys), status: 204 },
    create: { bundle: packaged.create, event: createOrderEvent, status: 200 },
    floor: { bundle: floors.secret, event: createOrderEvent, status: 200 },
    sdkFloor: { bundle: floors.secretAndLedger, event: createOrderEvent, status: 200 },
    createFloor: { bundle: floors.createContract, event: createOrderEvent, status: 200 },
  };
  type Kind = keyof typeof kinds;
  const names = Object.keys(kinds) as Kind[];
  // Each run gets an event of its own, signed before the clock starts: every ledger write is a new one.
  const runs = Object.fromEntries(names.map((name) => [name, [] as Array<() => Promise<void>>])) as Record<Kind, Array<() => Promise<void>>>;
  for (let round = 0; round < options.coldRounds; round += 1) {
    for (const name of names) {
      const kind = kinds[name];
      const eventFile = join(dir, `event-${name}-${round}.json`);
      await writeFile(eventFile, JSON.stringify(kind.event()));
      runs[name].push(() => run(process.execPath, [DRIVER, kind.bundle.path, eventFile, String(kind.status)], { env }));
    }
  }
  const samples = await interleave(Object.fromEntries(names.map((name) => [name, () => runs[name].shift()!()])) as Record<Kind, () => Promise<void>>, options.coldRounds);
  return {
    notify: compare(samples.notify, samples.floor),
    create: compare(samples.create, samples.floor),
    /** Reference, no target: the SDK's own share (secret + one ledger write), the create contract's floor, and ours on top of each. */
    split: {
      sdkFloor: compare(samples.sdkFloor, samples.floor),
      notifyOverSdkFloor: compare(samples.notify, samples.sdkFloor),
      createOverSdkFloor: compare(samples.create, samples.sdkFloor),
      createFloor: compare(samples.createFloor, samples.floor),
      createOverCreateFloor: compare(samples.create, samples.createFloor),
    },
  };
}
