/**
 * Each function's bundle as packaged against a bundle of only the SDK clients
 * it uses, built with the same settings. Compared: the `.mjs` node loads (the
 * source maps beside them are reported, not compared: both sides have one).
 */
import type { Bundle, MeasuredFunction, PackagedFunction } from '../package-functions';

export function bundleSize(packaged: Record<MeasuredFunction, PackagedFunction>, floor: Bundle) {
  const sizes = Object.entries(packaged).map(([name, bundle]) => [
    name,
    { ours: { bytes: bundle.bytes, sourceMapBytes: bundle.sourceMapBytes, zipBytes: bundle.zipBytes }, floor: { bytes: floor.bytes, sourceMapBytes: floor.sourceMapBytes }, ratio: bundle.bytes / floor.bytes },
  ]);
  return Object.fromEntries(sizes) as Record<MeasuredFunction, { ours: { bytes: number; sourceMapBytes: number; zipBytes: number }; floor: { bytes: number; sourceMapBytes: number }; ratio: number }>;
}
