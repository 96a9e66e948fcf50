/**
 * The script that starts this same ballast, for the lab's agents and health checkers: from the
 * sources (tsx) that is bin/ballast.js; in the production build (dist/ or the package) every module
 * is a chunk under dist/chunks/ and the entry is dist/main.js.
 */
import { fileURLToPath } from 'node:url';

export function ballastScript(): string {
  const fromSources = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSources ? '../../bin/ballast.js' : '../main.js', import.meta.url));
}
