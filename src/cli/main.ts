/**
 * The `ballast` command. One file per subcommand; each exports a function that adds itself to the
 * program. Exit codes: 0 ok, 1 the what-if found an overload, 2 usage or input error.
 */
import { Command } from '@commander-js/extra-typings';
import { runCli } from './run.js';

const program = new Command('ballast')
  .description('Capacity-aware anycast for BGP spine/leaf fabrics running FRR')
  .version('0.1.0')
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// Subcommands register themselves here, one line each.
const { addWhatif } = await import('./whatif.js');
addWhatif(program);
const { addLab } = await import('./lab.js');
addLab(program);
const { addFixture } = await import('./fixture.js');
addFixture(program);
const { addPlan } = await import('./plan.js');
addPlan(program);
const { addHealth } = await import('./health.js');
addHealth(program);
const { addAgent } = await import('./agent.js');
addAgent(program);
const { addOperate } = await import('./operate.js');
addOperate(program);

await runCli(program);
