// Runs sweep-worker.ts from the sources: a worker thread does not inherit the tsx loader that
// bin/ballast.js registered on the main thread, so it registers its own. The build bundles
// sweep-worker.ts as dist/sweep-worker.js instead.
import { register } from 'tsx/esm/api';
register();
await import('./sweep-worker.ts');
