/**
 * Cold start: a fresh `node` importing a bundle and serving its first
 * invocation against the stand-ins, timed from spawn to exit, every kind
 * interleaved. Each function against its contract floor (the SDK clients it
 * must use and the calls SPEC requires before a 2xx, none of our code), and the
 * notify function against the same function written with a peer SDK.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOrderEvent, notificationEvent, planCreateEvent, type BenchEvent } from '../events';
import { interleave } from '../interleave';
import type { BenchOptions } from '../options';
import type { Bundle, MeasuredFunction, PackagedFunction } from '../package-functions';
import { run } from '../processes';
import { functionNodeOptions } from '../serverless-settings';
import { compare, compareWithPeer } from '../stats';
import type { BenchWorld } from '../world';

const DRIVER = fileURLToPath(new URL('../cold/first-invocation.mjs', import.meta.url));

export interface ColdStartBundles {
  notifyFloor: Bundle;
  createFloor: Bundle;
  lifecycleFloor: Bundle;
  peerNotify: Bundle;
}

export async function coldStart(world: BenchWorld, packaged: Record<MeasuredFunction, PackagedFunction>, bundles: ColdStartBundles, dir: string, options: BenchOptions) {
  // Only what Lambda would give the process: serverless.yml's NODE_OPTIONS and the function's variables.
  const env = { PATH: process.env.PATH, ...world.functionEnvironment, NODE_OPTIONS: functionNodeOptions() };
  const notification = () => notificationEvent(world.keys);
  const kinds: Record<string, { bundle: Bundle; event: () => BenchEvent; status: number }> = {
    notify: { bundle: packaged.notify, event: notification, status: 204 },
    create: { bundle: packaged.create, event: createOrderEvent, status: 200 },
    lifecycle: { bundle: packaged.lifecycle, event: planCreateEvent, status: 200 },
    notifyFloor: { bundle: bundles.notifyFloor, event: notification, status: 200 },
    createFloor: { bundle: bundles.createFloor, event: createOrderEvent, status: 200 },
    lifecycleFloor: { bundle: bundles.lifecycleFloor, event: planCreateEvent, status: 200 },
    peerNotify: { bundle: bundles.peerNotify, event: notification, status: 204 },
  };
  const names = Object.keys(kinds);
  // Each run gets an event of its own, signed before the clock starts: every ledger write is a new one.
  const runs = Object.fromEntries(names.map((name) => [name, [] as Array<() => Promise<void>>]));
  for (let round = 0; round < options.coldRounds; round += 1) {
    for (const name of names) {
      const kind = kinds[name]!;
      const eventFile = join(dir, `event-${name}-${round}.json`);
      await writeFile(eventFile, JSON.stringify(kind.event()));
      runs[name]!.push(() => run(process.execPath, [DRIVER, kind.bundle.path, eventFile, String(kind.status)], { env }));
    }
  }
  const samples = await interleave(Object.fromEntries(names.map((name) => [name, () => runs[name]!.shift()!()])), options.coldRounds);
  return {
    notify: compare(samples.notify!, samples.notifyFloor!),
    create: compare(samples.create!, samples.createFloor!),
    lifecycle: compare(samples.lifecycle!, samples.lifecycleFloor!),
    peerNotify: compareWithPeer(samples.notify!, samples.peerNotify!),
  };
}
