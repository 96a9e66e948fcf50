/** `ballast fixture generate --spines N --leaves N --servers-per-leaf N --prefixes N [--seed N] ...` */
import { Command, Option } from '@commander-js/extra-typings';
import { GENERATE_DEFAULTS, generateFixture } from '../fabric/generate.js';
import { MISSING_BANDWIDTH, WEIGHT_MODELS } from '../fabric/types.js';
import { BallastError, quote } from '../util/errors.js';
import { parseDecimal } from './options.js';

export function addFixture(program: Command<[], {}, {}>): void {
  const fixture = program.command('fixture').description('Work with fabric fixtures');
  fixture
    .command('generate')
    .description('Write a synthetic fabric fixture (YAML) to stdout, deterministic from --seed')
    .requiredOption('--spines <n>', 'number of spines', whole('spines'))
    .requiredOption('--leaves <n>', 'number of leaves', whole('leaves'))
    .requiredOption('--servers-per-leaf <n>', 'servers behind each leaf', whole('servers-per-leaf'))
    .option('--prefixes <n>', 'anycast prefixes (services)', whole('prefixes'), 1)
    .option('--seed <n>', 'seed of the generator', whole('seed'), GENERATE_DEFAULTS.seed)
    .addOption(new Option('--capacities <list>', 'server capacities to draw from, comma-separated').argParser(list).default([...GENERATE_DEFAULTS.capacities], GENERATE_DEFAULTS.capacities.join(',')))
    .option('--prefixes-per-server <n>', 'prefixes each server announces (default: all)', whole('prefixes-per-server'))
    .option('--load-factor <x>', 'offered load per prefix as a fraction of its capacity', real('load-factor'), GENERATE_DEFAULTS.loadFactor)
    .option('--down-fraction <x>', 'fraction of servers generated in state down', real('down-fraction'), GENERATE_DEFAULTS.downFraction)
    .addOption(new Option('--spines-per-leaf <n>', 'spines each leaf connects to, consecutive and round robin').argParser(whole('spines-per-leaf')).default(0, 'all'))
    .addOption(new Option('--spine-weights <model>', 'spines\' weight model').choices(WEIGHT_MODELS).default('frr8' as const))
    .addOption(new Option('--missing-bandwidth <rule>', 'spines\' rule for paths without link-bandwidth').choices(MISSING_BANDWIDTH).default('ecmp-fallback' as const))
    .option('--uplink-capacity <x>', 'uplink capacity of every leaf', real('uplink-capacity'))
    .action((opts) => {
      const yaml = generateFixture({
        spines: opts.spines,
        leaves: opts.leaves,
        serversPerLeaf: opts.serversPerLeaf,
        prefixes: opts.prefixes,
        seed: opts.seed,
        capacities: opts.capacities,
        prefixesPerServer: opts.prefixesPerServer ?? Number.POSITIVE_INFINITY,
        loadFactor: opts.loadFactor,
        downFraction: opts.downFraction,
        spinesPerLeaf: opts.spinesPerLeaf,
        spineWeights: opts.spineWeights,
        missingBandwidth: opts.missingBandwidth,
        ...(opts.uplinkCapacity === undefined ? {} : { uplinkCapacity: opts.uplinkCapacity }),
      });
      process.stdout.write(yaml);
    });
}

function whole(name: string) {
  return (text: string): number => {
    const v = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v)) throw new BallastError('E_USAGE', `Cannot use --${name} ${quote(text)}: expected a whole number`);
    return v;
  };
}

function real(name: string) {
  return (text: string): number => {
    const v = parseDecimal(text);
    if (v === undefined) throw new BallastError('E_USAGE', `Cannot use --${name} ${quote(text)}: expected a number`);
    return v;
  };
}

function list(text: string): number[] {
  const out = text.split(',').map((t) => t.trim()).filter((t) => t !== '').map((t) => parseDecimal(t) ?? NaN);
  if (out.length === 0 || out.some((v) => !(v > 0))) throw new BallastError('E_USAGE', `Cannot use --capacities ${quote(text)}: expected positive numbers, comma-separated`);
  return out;
}
