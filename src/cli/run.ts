/** Runs a commander program and maps errors to the documented exit codes and one-line messages. */
import type { Command } from '@commander-js/extra-typings';
import { BallastError, InputError, InputErrors } from '../util/errors.js';

export const EXIT_OK = 0;
export const EXIT_OVERLOAD = 1;
export const EXIT_USAGE = 2;
/** A bug (an error without a code): EX_SOFTWARE. */
export const EXIT_INTERNAL = 70;
/** The what-if found a prefix that reaches no live server at all. */
export const EXIT_OUTAGE = 3;
/** A drain or undrain the agent saved but FRR does not carry yet (E_FRR_DRAIN_PENDING): retried by the agent. */
export const EXIT_DRAIN_PENDING = 4;

/** Print an error the way users should see it: position first, no stack trace. */
export function reportError(err: unknown): number {
  if (err instanceof InputError) {
    process.stderr.write(`ballast: ${err.format()}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof InputErrors) {
    process.stderr.write(`${err.errors.map((e) => `ballast: ${e.format()}`).join('\n')}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof BallastError) {
    process.stderr.write(`ballast: ${err.message} [${err.code}]\n`);
    if (err.code === 'E_FRR_DRAIN_PENDING') return EXIT_DRAIN_PENDING;
    return err.code === 'E_INTERNAL' ? EXIT_INTERNAL : EXIT_USAGE;
  }
  process.stderr.write(`ballast: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT_INTERNAL;
}

export async function runCli(program: Command<[], {}, {}>, argv: readonly string[] = process.argv): Promise<void> {
  // Subcommands copy settings only when created, so the override is applied down the whole tree here.
  const override = (c: Command<any, any, any>): void => {
    c.exitOverride();
    c.showHelpAfterError('(run with --help for usage)');
    for (const sub of c.commands) override(sub as Command<any, any, any>);
  };
  override(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed its message; help and version are successes.
      process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? EXIT_OK : EXIT_USAGE;
      return;
    }
    process.exitCode = reportError(err);
  }
}
