// `node --import ./test/cli/trace-loads.mjs ...`: appends the URL of every ES module the process
// loads to $BALLAST_TRACE_FILE (module hooks run on their own thread, so they write to a file).
import { register } from 'node:module';

register(new URL('./trace-loads-hooks.mjs', import.meta.url));
