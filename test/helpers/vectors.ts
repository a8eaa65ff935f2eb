import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The published known-answer vectors, copied with their sources into `test/fixtures/vectors/` (see its README). */
const VECTORS = fileURLToPath(new URL('../fixtures/vectors/', import.meta.url));

export const readVector = (path: string): string => readFileSync(VECTORS + path, 'utf8');

export const readJsonVector = <T>(path: string): T => JSON.parse(readVector(path)) as T;
