/**
 * The `ballast` command. One file per subcommand; each exports a function that adds itself to the
 * program. Exit codes: 0 ok, 1 the what-if found an overload, 2 usage or input error.
 *
 * Only the module of the command being run is loaded (a what-if never loads grpc-js, prom-client or
 * the lab; test/cli/lazy-load.test.ts checks it), so every command is one line below: its name and
 * the module that adds it. Top-level help and unknown names load them all.
 */
// First: a daemon must not die of a signal while the rest loads.
import './early-signals.js';
import { Command } from '@commander-js/extra-typings';
import { runCli } from './run.js';
import { versionText } from './version.js';

type Program = Command<[], {}, {}>;
type Adder = (program: Program) => void;

const operate = async (): Promise<Adder> => (await import('./operate.js')).addOperate;
const COMMANDS: Record<string, () => Promise<Adder>> = {
  whatif: async () => (await import('./whatif.js')).addWhatif,
  plan: async () => (await import('./plan.js')).addPlan,
  fixture: async () => (await import('./fixture.js')).addFixture,
  lab: async () => (await import('./lab.js')).addLab,
  health: async () => (await import('./health.js')).addHealth,
  agent: async () => (await import('./agent.js')).addAgent,
  status: operate,
  watch: operate,
  drain: operate,
  undrain: operate,
  snapshot: operate,
  observe: async () => (await import('./observe.js')).addObserve,
  verify: async () => (await import('./verify.js')).addVerify,
};

const program: Program = new Command('ballast')
  .description('Capacity-aware anycast for BGP spine/leaf fabrics running FRR')
  .version(versionText(), '-V, --version', 'print the version and the FRR versions it was tested with')
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// The command is the first operand (the program itself has only --version and --help); `help X` names X.
const args = process.argv.slice(2);
const first = args.find((a) => !a.startsWith('-'));
const name = first === 'help' ? args[args.indexOf('help') + 1] : first;
const wanted = name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]!] : [...new Set(Object.values(COMMANDS))];
// --version prints before any command module is loaded.
const adders = args.includes('-V') || args.includes('--version') ? [] : await Promise.all(wanted.map((load) => load()));
for (const add of new Set(adders)) add(program);

await runCli(program);
