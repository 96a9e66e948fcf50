/**
 * The tick's read, parsed only where it changed. An idle leaf's tick reply (bench/agent.md: ~750 KB
 * at 200 prefixes) is byte for byte the last one's except for the session summary, whose counters move
 * with every keepalive. The reply is: the summary (when asked), the prefixes' answers back to back,
 * then `show running-config`. So the prefixes' answers are one block, compared with the last tick's
 * block (memcmps, but for each path's lastUpdate: below) before anything is split or parsed, and the running configuration's text
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

/**
 * A path's `lastUpdate`. FRR prints its epoch as time(NULL) - (monotime(NULL) - uptime), two clocks read
 * with one-second resolution, so the same path's epoch (and its date string) moves by a second from one
 * read to the next (measured in the lab: most ticks' replies differed only there). parseBgpPrefix does
 * not read it; a reply whose only difference to the last one lies inside these objects (same length,
 * same shape: digits and one JSON string, so the scanner finds the same tokens outside them) is the same.
 */
const LAST_UPDATE = /"lastUpdate":\s*\{\s*"epoch":\s*\d+,\s*"string":\s*"(?:[^"\\]|\\.)*"\s*\}/g;

/** The last block cut at its lastUpdate objects: the text between them (`parts`) and each object's start and length. */
interface Cut {
  readonly parts: readonly string[];
  readonly masks: readonly (readonly [number, number])[];
}

function cut(block: string): Cut {
  const parts: string[] = [];
  const masks: [number, number][] = [];
  let at = 0;
  for (const m of block.matchAll(LAST_UPDATE)) {
    parts.push(block.slice(at, m.index));
    masks.push([m.index, m[0].length]);
    at = m.index + m[0].length;
  }
  parts.push(block.slice(at));
  return { parts, masks };
}

/** Whether `text` from `from` on is the cut block, but for other lastUpdate objects of the same lengths. */
function sameBut(text: string, from: number, c: Cut): boolean {
  const one = new RegExp(LAST_UPDATE.source, 'y');
  let at = from;
  for (let i = 0; i < c.masks.length; i++) {
    const [start, length] = c.masks[i]!;
    if (!text.startsWith(c.parts[i]!, at)) return false;
    one.lastIndex = from + start;
    const m = one.exec(text);
    if (m === null || m[0].length !== length) return false;
    at = from + start + length;
  }
  return text.startsWith(c.parts[c.masks.length]!, at);
}

/** One question's last answer: the prefixes' answers' text (cut at lastUpdate), its length and its parse. */
interface Block {
  readonly cut: Cut;
  readonly length: number;
  readonly routes: readonly BgpPrefix[];
}

/**
 * Answers kept per question: the resync reads its prefixes in slices (tick.ts, resyncSlice), so the
 * same question comes back every few ticks, not every tick; more slices than this are parsed afresh.
 */
const QUESTIONS_KEPT = 32;

export class ReadCache {
  /** The last answer per list of prefix commands asked. */
  private readonly blocks = new Map<string, Block>();
  private runningText: string | null = null;
  private running: RunningConfig | null = null;

  /** Split and parse one tick's reply to `commands` (the summary first when `summary`, the prefixes, then running-config). */
  split(text: string, commands: readonly string[], prefixes: readonly Prefix[], summary: boolean): SplitRead {
    const asked = commands.join('\n');
    const head = summary ? splitJsonAt(text, 0, 1) : { values: [undefined], end: 0 };
    let routes: readonly BgpPrefix[];
    let end: number;
    const last = this.blocks.get(asked);
    if (last !== undefined && sameBut(text, head.end, last.cut)) {
      routes = last.routes;
      end = head.end + last.length;
    } else {
      this.blocks.delete(asked); // a parse failure below must not leave the old block in place
      const answers = splitJsonAt(text, head.end, prefixes.length);
      if (answers.values.length !== prefixes.length) throw new BallastError('E_FRR_PARSE', `Expected ${prefixes.length} JSON answers from vtysh, got ${answers.values.length}`);
      routes = answers.values.map(parseBgpPrefix);
      end = answers.end;
      if (this.blocks.size >= QUESTIONS_KEPT) this.blocks.delete(this.blocks.keys().next().value!);
      this.blocks.set(asked, { cut: cut(text.slice(head.end, end)), length: end - head.end, routes });
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
