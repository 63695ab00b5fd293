import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (holding profiles/ and prototypes/), from dist/src/util or src/util. */
export function dataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'src')}`) ? join(here, '..', '..', '..') : join(here, '..', '..');
}
