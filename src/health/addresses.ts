/**
 * The only code that changes the anycast addresses: iproute2 through execFile (no shell), one
 * interface, idempotent. Each change first reads what the interface holds, so an address already
 * present (or already absent) is reported as such and is not an error; a race with someone else
 * editing the same address ("File exists", "Cannot assign requested address") is treated the same.
 *
 * Namespaces: run inside one with `ip netns exec NS ballast health ...` and nothing here needs to
 * know. `netns` (ip -n) exists for callers outside the namespace, such as the tests.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parsePrefix } from '../fabric/prefix.js';
import { BallastError, quote } from '../util/errors.js';

const run = promisify(execFile);

export interface AddressOptions {
  readonly interface: string;
  readonly netns?: string | null;
  /** Log what would change and change nothing. */
  readonly dryRun?: boolean;
  readonly timeoutMs?: number;
}

export type AddressChange = 'added' | 'already-present' | 'removed' | 'already-absent' | 'would-add' | 'would-remove';

export interface AddressResult {
  readonly prefix: string;
  readonly change: AddressChange;
}

export class AddressManager {
  private readonly options: AddressOptions;
  constructor(options: AddressOptions) {
    this.options = options;
  }

  get interfaceName(): string {
    return this.options.interface;
  }

  /** The host prefixes (/32, /128) on the interface, in canonical form. */
  async list(): Promise<Set<string>> {
    const { stdout } = await this.ip(['-j', 'addr', 'show', 'dev', this.options.interface], `list the addresses of ${this.options.interface}`);
    let links: unknown;
    try {
      links = JSON.parse(stdout);
    } catch {
      throw new BallastError('E_HEALTH_ADDRESS', `Cannot parse "ip -j addr show dev ${this.options.interface}" output: ${quote(stdout.slice(0, 80))}`);
    }
    const found = new Set<string>();
    for (const link of Array.isArray(links) ? links : []) {
      const infos = (link as { addr_info?: unknown }).addr_info;
      for (const info of Array.isArray(infos) ? infos : []) {
        const { local, prefixlen } = info as { local?: unknown; prefixlen?: unknown };
        if (typeof local !== 'string' || typeof prefixlen !== 'number') continue;
        if (prefixlen !== (local.includes(':') ? 128 : 32)) continue;
        try {
          found.add(parsePrefix(`${local}/${prefixlen}`).text);
        } catch {
          /* not an address we could have added */
        }
      }
    }
    return found;
  }

  async add(prefixes: readonly string[]): Promise<AddressResult[]> {
    const present = await this.list();
    const results: AddressResult[] = [];
    for (const prefix of prefixes) {
      if (present.has(prefix)) results.push({ prefix, change: 'already-present' });
      else if (this.options.dryRun) results.push({ prefix, change: 'would-add' });
      else results.push({ prefix, change: (await this.change('add', prefix)) ? 'added' : 'already-present' });
    }
    return results;
  }

  async remove(prefixes: readonly string[]): Promise<AddressResult[]> {
    const present = await this.list();
    const results: AddressResult[] = [];
    for (const prefix of prefixes) {
      if (!present.has(prefix)) results.push({ prefix, change: 'already-absent' });
      else if (this.options.dryRun) results.push({ prefix, change: 'would-remove' });
      else results.push({ prefix, change: (await this.change('del', prefix)) ? 'removed' : 'already-absent' });
    }
    return results;
  }

  /** true: changed; false: someone else got there first (not an error). */
  private async change(verb: 'add' | 'del', prefix: string): Promise<boolean> {
    const raced = verb === 'add' ? /File exists/ : /Cannot assign requested address/;
    try {
      await this.ip(['addr', verb, prefix, 'dev', this.options.interface], `${verb === 'add' ? 'add' : 'remove'} ${prefix} ${verb === 'add' ? 'to' : 'from'} ${this.options.interface}`, raced);
      return true;
    } catch (err) {
      if (err instanceof RacedError) return false;
      throw err;
    }
  }

  private async ip(args: readonly string[], what: string, raced?: RegExp): Promise<{ stdout: string }> {
    const full = this.options.netns ? ['-n', this.options.netns, ...args] : [...args];
    try {
      return await run('ip', full, { timeout: this.options.timeoutMs ?? 5000, killSignal: 'SIGKILL' });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
      const stderr = (e.stderr ?? '').trim();
      if (raced && raced.test(stderr)) throw new RacedError();
      const why = e.code === 'ENOENT' ? 'the "ip" command (iproute2) is not installed' : e.killed ? `"ip" did not answer within ${this.options.timeoutMs ?? 5000} ms` : stderr || e.message;
      throw new BallastError(e.code === 'ENOENT' ? 'E_MISSING_TOOL' : 'E_HEALTH_ADDRESS', `Cannot ${what}: ${why}`, { cause: err });
    }
  }
}

class RacedError extends Error {}
