// The `ballast lab` commands alone, so the lab tests drive the real CLI (in a child process, which an
// interrupted `up` needs) without depending on the other subcommands.
import { Command } from '@commander-js/extra-typings';
import { addLab } from '../../src/cli/lab.js';
import { runCli } from '../../src/cli/run.js';

const program = new Command('ballast').exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) });
addLab(program);
await runCli(program);
