import {randomInt} from 'node:crypto';

import {runSlug} from '../seed/names.js';
import {SeededRandom} from '../seed/random.js';

/**
 * Random two-word run names like Prefect's generate_slug(2) ("crimson-tortoise"), which
 * the flow_run.name column default gives runs nobody named.
 */
export function runNamer(): () => string {
  const random = new SeededRandom(randomInt(2 ** 32));
  return () => runSlug(random);
}
