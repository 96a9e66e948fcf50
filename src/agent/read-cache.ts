/**
 * The tick's read, parsed only where it changed. An idle leaf's tick reply (bench/agent.md: ~750 KB
 * at 200 prefixes) is byte for byte the last one's except for the session summary, whose counters move
 * with every keepalive. The reply is: the summary (when asked), the prefixes' answers back to back,
 * then `show running-config`. So the prefixes' answers are one block, compared with the last tick's
 * block (a memcmp, ~0.1 ms) before anything is split or parsed, and the running configuration's text
 * is compared with the last one's; what is equal is not parsed again, and the caller gets the very
 * same objects, which lets it skip what it derives from them (agent.ts: the owned view, the neighbor
 * index, the decisions of prefixes at a fixed point).
 *
 * Why a block equal to the last one splits the same: the scanner (frr/bgp-prefix.ts) reads tokens left
 * to right and stops right after the last answer's closing bracket; what it does up to there depends
 * only on the bytes up to there, which are the last block's. The summary is parsed every time.
 */
import type { Prefix } from '../fabric/prefix.js';
import { parseBgpPrefix, splitJsonAt, type BgpPrefix } from '../frr/bgp-prefix.js';
import { parseRunningConfig, type RunningConfig } from '../frr/running-config.js';
import { BallastError } from '../util/errors.js';

/** What frr-io.ts's TickRead holds. */
export interface SplitRead {
  /** The answer to `show bgp summary json`, when asked. */
  readonly summary: unknown;
  readonly routes: readonly BgpPrefix[];
  readonly running: RunningConfig;
}

export class ReadCache {
  /** The commands of the last read, the text of its prefixes' answers and their parse. */
  private asked = '';
  private block: string | null = null;
  private routes: readonly BgpPrefix[] = [];
  private runningText: string | null = null;
  private running: RunningConfig | null = null;

  /** Split and parse one tick's reply to `commands` (the summary first when `summary`, the prefixes, then running-config). */
  split(text: string, commands: readonly string[], prefixes: readonly Prefix[], summary: boolean): SplitRead {
    const asked = commands.join('\n');
    const head = summary ? splitJsonAt(text, 0, 1) : { values: [undefined], end: 0 };
    let routes: readonly BgpPrefix[];
    let end: number;
    if (this.block !== null && asked === this.asked && text.startsWith(this.block, head.end)) {
      routes = this.routes;
      end = head.end + this.block.length;
    } else {
      this.block = null; // a parse failure below must not leave the old block paired with new commands
      const answers = splitJsonAt(text, head.end, prefixes.length);
      if (answers.values.length !== prefixes.length) throw new BallastError('E_FRR_PARSE', `Expected ${prefixes.length} JSON answers from vtysh, got ${answers.values.length}`);
      routes = answers.values.map(parseBgpPrefix);
      end = answers.end;
      this.asked = asked;
      this.block = text.slice(head.end, end);
      this.routes = routes;
    }
    const rest = text.slice(end);
    if (this.running === null || rest !== this.runningText) {
      this.running = null;
      this.running = parseRunningConfig(rest);
      this.runningText = rest;
    }
    return { summary: head.values[0], routes, running: this.running };
  }
}

/**
 * The last value made from these objects, made again only when one of them is another object: what
 * the agent derives from a running configuration (the owned view, the neighbor index) is not derived
 * again when ReadCache hands it the same parsed configuration.
 */
export class LastOf<T> {
  private from: readonly unknown[] = [];
  private value: T | undefined;

  get(from: readonly unknown[], make: () => T): T {
    if (this.value === undefined || from.length !== this.from.length || from.some((x, i) => x !== this.from[i])) {
      this.value = undefined;
      this.value = make();
      this.from = from;
    }
    return this.value;
  }
}
