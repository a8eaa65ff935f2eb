/**
 * Each function's bundle as packaged against a bundle of only the SDK clients
 * it uses (bench/floors/aws-clients*.ts), built with the same settings; and the
 * notify bundle against the peer's. Compared: the `.mjs` node loads (the source maps beside them are
 * reported, not compared: every side has one).
 */
import type { Bundle, MeasuredFunction, PackagedFunction } from '../package-functions';

const sizes = (bundle: Bundle) => ({ bytes: bundle.bytes, sourceMapBytes: bundle.sourceMapBytes });

export function bundleSize(packaged: Record<MeasuredFunction, PackagedFunction>, floors: Record<MeasuredFunction, Bundle>) {
  const entries = Object.entries(packaged).map(([name, bundle]) => {
    const floor = floors[name as MeasuredFunction];
    return [name, { ours: { ...sizes(bundle), zipBytes: bundle.zipBytes }, floor: sizes(floor), ratio: bundle.bytes / floor.bytes }];
  });
  return Object.fromEntries(entries) as Record<MeasuredFunction, { ours: ReturnType<typeof sizes> & { zipBytes: number }; floor: ReturnType<typeof sizes>; ratio: number }>;
}

export function peerBundleSize(ours: PackagedFunction, peer: Bundle) {
  return { ours: sizes(ours), peer: sizes(peer), ratio: ours.bytes / peer.bytes };
}
