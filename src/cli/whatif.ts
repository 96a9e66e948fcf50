/** `ballast whatif FIXTURE [--fail NAME,...] [--strategy S,...] [--load X] [--servers all|top:N|overloaded] [--json]` */
import { once } from 'node:events';
import { Command, Option } from '@commander-js/extra-typings';
import { loadFixture } from '../fabric/load.js';
import { defaultStrategies, FLEET_STRATEGIES, STRATEGIES } from '../fabric/types.js';
import { indexFabric } from '../forwarding/fabric-index.js';
import { renderPrefixText, verdictText, whatifTitle } from '../whatif/report-text.js';
import { whatifJsonChunks } from '../whatif/report-json.js';
import { resolveFailures, scenarioLiveness } from '../whatif/scenario.js';
import { ALL_SERVERS_UP_TO, DEFAULT_TOP, parseServerSelection } from '../whatif/select.js';
import { verdict, whatifHeader, withoutRows, whatifPrefixes, type PrefixReport, type WhatifOptions } from '../whatif/whatif.js';
import { BallastError, quote } from '../util/errors.js';
import { EXIT_OK, EXIT_OUTAGE, EXIT_OVERLOAD } from './run.js';
import { makeStyle } from '../util/style.js';
import { parseDecimal, parseStrategies } from './options.js';

export function addWhatif(program: Command<[], {}, {}>): void {
  program
    .command('whatif')
    .description('Per-server load under a failure scenario: plain ECMP, FRR num-multipaths and ballast side by side')
    .argument('<fixture>', 'fabric fixture (YAML)')
    .option('--fail <names>', 'comma-separated servers, leaves, spines or leaf/spine links to fail', '')
    .option('--strategy <list>', `strategies to show, comma-separated: the whole fabric on ${STRATEGIES.join(', ')}, or configured (each leaf its fixture strategy:) (default: all three, and configured when a leaf sets strategy:)`)
    .addOption(new Option('--load <x>', 'offered load for every prefix, overriding the fixture').argParser(parseLoad))
    .addOption(new Option('--servers <which>', `servers to list: all, top:N (the N most loaded per strategy) or overloaded (default: all up to ${ALL_SERVERS_UP_TO} servers, else top:${DEFAULT_TOP}; leaves are always listed)`).argParser(parseServerSelection))
    .option('--json', 'machine-readable output (schemaVersion 2), streamed', false)
    .addHelpText('after', '\nExit status: 0 no overload, 1 a server is overloaded under ballast (or the first --strategy), 2 bad input, 3 outage (a prefix reaches no live server).')
    .action(async (fixture, opts) => {
      const fabric = loadFixture(fixture);
      const index = indexFabric(fabric);
      const failures = resolveFailures(index, opts.fail.split(','));
      const options: WhatifOptions = {
        fixture,
        failures,
        live: scenarioLiveness(index, failures),
        strategies: opts.strategy === undefined ? defaultStrategies(fabric) : parseStrategies(opts.strategy, FLEET_STRATEGIES),
        ...(opts.load === undefined ? {} : { load: opts.load }),
        ...(opts.servers === undefined ? {} : { servers: opts.servers }),
      };
      const header = whatifHeader(index, options);
      // Each prefix is written as soon as it is evaluated, and the next piece only once stdout has
      // taken the last (a pipe to a slower reader fills): memory holds one prefix, not the report.
      const out = new Output();
      let v;
      if (opts.json) {
        const chunks = whatifJsonChunks(header, whatifPrefixes(index, options));
        for (let next = chunks.next(); ; next = chunks.next()) {
          if (next.done) {
            v = next.value;
            break;
          }
          if (!out.closed) await out.write(next.value);
        }
      } else {
        const style = makeStyle();
        await out.write(`${whatifTitle(header, style)}\n`);
        const seen: PrefixReport[] = [];
        for (const p of whatifPrefixes(index, options)) {
          await out.write(`${renderPrefixText(p, header, style)}\n`);
          seen.push(withoutRows(p));
        }
        v = verdict(header.deciding, seen);
        await out.write(`\n${verdictText(header, v, style)}\n`);
      }
      await out.flush();
      process.exitCode = v.outage.length > 0 ? EXIT_OUTAGE : v.overloaded ? EXIT_OVERLOAD : EXIT_OK;
    });
}


/**
 * stdout in pieces of about 64 KiB, waiting for 'drain' whenever the stream's buffer is full. A
 * reader that goes away (`| head`) ends the output quietly, as for any filter.
 */
class Output {
  private pending: string[] = [];
  private size = 0;
  closed = false;

  constructor() {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      this.closed = true;
    });
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0 || this.closed) return;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    if (process.stdout.write(text)) return;
    // 'close' too: after EPIPE no 'drain' comes. Aborting removes whichever listener is left.
    const done = new AbortController();
    const wait = (event: string) => once(process.stdout, event, { signal: done.signal }).catch(() => undefined);
    await Promise.race([wait('drain'), wait('close')]);
    done.abort();
  }
}

function parseLoad(text: string): number {
  const v = parseDecimal(text);
  if (v === undefined || v < 0) throw new BallastError('E_USAGE', `Cannot use --load ${quote(text)}: expected a number of at least 0`);
  return v;
}
