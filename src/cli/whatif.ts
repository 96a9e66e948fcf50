/** `ballast whatif FIXTURE [--fail NAME,...] [--strategy S,...] [--load X] [--json]` */
import { Command, Option } from '@commander-js/extra-typings';
import { loadFixture } from '../fabric/load.js';
import { STRATEGIES } from '../fabric/types.js';
import { indexFabric } from '../forwarding/fabric-index.js';
import { renderWhatifText } from '../whatif/report-text.js';
import { resolveFailures, scenarioLiveness } from '../whatif/scenario.js';
import { runWhatif } from '../whatif/whatif.js';
import { BallastError, quote } from '../util/errors.js';
import { EXIT_OK, EXIT_OUTAGE, EXIT_OVERLOAD } from './run.js';
import { makeStyle } from '../util/style.js';
import { parseDecimal, parseStrategies, toJson } from './options.js';

export function addWhatif(program: Command<[], {}, {}>): void {
  program
    .command('whatif')
    .description('Per-server load under a failure scenario: plain ECMP, FRR num-multipaths and ballast side by side')
    .argument('<fixture>', 'fabric fixture (YAML)')
    .option('--fail <names>', 'comma-separated servers, leaves or spines to fail', '')
    .option('--strategy <list>', `strategies to show, comma-separated (${STRATEGIES.join(', ')})`, STRATEGIES.join(','))
    .addOption(new Option('--load <x>', 'offered load for every prefix, overriding the fixture').argParser(parseLoad))
    .option('--json', 'machine-readable output (schemaVersion 1)', false)
    .addHelpText('after', '\nExit status: 0 no overload, 1 a server is overloaded under ballast (or the first --strategy), 2 bad input, 3 outage (a prefix reaches no live server).')
    .action((fixture, opts) => {
      const fabric = loadFixture(fixture);
      const index = indexFabric(fabric);
      const failures = resolveFailures(index, opts.fail.split(','));
      const report = runWhatif(index, {
        fixture,
        failures,
        live: scenarioLiveness(index, failures),
        strategies: parseStrategies(opts.strategy),
        ...(opts.load === undefined ? {} : { load: opts.load }),
      });
      process.stdout.write(opts.json ? toJson(report) : `${renderWhatifText(report, makeStyle())}\n`);
      process.exitCode = report.outage.length > 0 ? EXIT_OUTAGE : report.overloaded ? EXIT_OVERLOAD : EXIT_OK;
    });
}

function parseLoad(text: string): number {
  const v = parseDecimal(text);
  if (v === undefined || v < 0) throw new BallastError('E_USAGE', `Cannot use --load ${quote(text)}: expected a number of at least 0`);
  return v;
}


