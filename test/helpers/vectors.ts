import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The published known-answer vectors, kept beside the project in `../shared/vectors/`. */
const VECTORS = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));

export const readVector = (path: string): string => readFileSync(VECTORS + path, 'utf8');

export const readJsonVector = <T>(path: string): T => JSON.parse(readVector(path)) as T;
