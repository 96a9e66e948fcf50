/**
 * A stand-in for vtysh in the agent's engine tests: it serves recorded `show bgp ... json` answers and
 * keeps the owned configuration (prefix-lists, route-maps, the spine peer-group binding) by executing
 * the command subset the agent emits, rendering `show running-config` the way FRR 8.4 prints it.
 * Unknown configuration commands throw, so the agent cannot emit anything the tests did not expect.
 */
export class FakeFrr {
  /** prefix text -> recorded JSON text of `show bgp <afi> unicast PREFIX json`. */
  routes = new Map<string, string>();
  readonly prefixLists = new Map<string, { family: 'ip' | 'ipv6'; lines: Map<number, string> }>();
  readonly routeMaps = new Map<string, Map<number, string[]>>();
  /** "af|neighbor|direction" -> route-map. */
  readonly bindings = new Map<string, string>();
  /** `clear bgp ... soft in` commands run, in order. */
  readonly clears: string[] = [];
  /** Extra running-config text (the operator's part). */
  base: string;
  /** Every configure call, for assertions. */
  readonly applied: string[][] = [];
  /** The version `show running-config` prints (a conformance case may name another one). */
  version = '8.4.4';
  /** When set, the next calls fail this way (`configure`: only writes fail, as when bgpd is down but vtysh answers). */
  failure: null | 'throw' | 'garbage' | 'configure' = null;
  calls = 0;
  /** The spine session's state in `show bgp summary json` (the base's one spine neighbor, sp1). */
  spineState = 'Established';

  constructor(base: string) {
    this.base = base;
  }

  readonly run = async (commands: readonly string[]): Promise<string> => {
    this.calls++;
    if (this.failure === 'throw') throw Object.assign(new Error('vtysh timed out'), { code: 'E_FRR_COMMAND' });
    if (this.failure === 'garbage') return '% Unknown command: garbage\n{"half":';
    if (this.failure === 'configure' && commands[0] === 'configure terminal') throw Object.assign(new Error('bgpd is not running'), { code: 'E_FRR_COMMAND' });
    if (commands[0] === 'configure terminal') {
      this.configure(commands);
      return '';
    }
    return commands.map((c) => this.show(c)).join('\n');
  };

  private show(c: string): string {
    if (c === 'show running-config') return this.runningConfig();
    if (c === 'show bgp summary json') return JSON.stringify({ ipv4Unicast: { peers: { sp1: { remoteAs: 65100, state: this.spineState, pfxRcd: 2 } } } });
    const m = /^show bgp (ipv4|ipv6) unicast (\S+) json$/.exec(c);
    if (m) return this.routes.get(m[2]!) ?? '{\n}';
    throw new Error(`fake vtysh: unexpected command ${c}`);
  }

  private configure(commands: readonly string[]): void {
    this.applied.push([...commands]);
    let map: Map<number, string[]> | null = null;
    let af: string | null = null;
    for (const c of commands.slice(1)) {
      let m: RegExpExecArray | null;
      if ((m = /^(ip|ipv6) prefix-list (\S+) seq (\d+) permit (\S+)$/.exec(c))) {
        const list = this.prefixLists.get(m[2]!) ?? { family: m[1] as 'ip' | 'ipv6', lines: new Map<number, string>() };
        list.lines.set(Number(m[3]), c);
        this.prefixLists.set(m[2]!, list);
        map = null;
      } else if ((m = /^no (?:ip|ipv6) prefix-list (\S+)$/.exec(c))) this.prefixLists.delete(m[1]!);
      else if ((m = /^no route-map (\S+)(?: permit (\d+))?$/.exec(c))) {
        if (m[2]) this.routeMaps.get(m[1]!)?.delete(Number(m[2]));
        else this.routeMaps.delete(m[1]!);
      } else if ((m = /^route-map (\S+) permit (\d+)$/.exec(c))) {
        const rm = this.routeMaps.get(m[1]!) ?? new Map<number, string[]>();
        this.routeMaps.set(m[1]!, rm);
        rm.set(Number(m[2]), []);
        map = rm;
        af = m[2]!;
      } else if (map && /^(match|set|call) /.test(c)) map.get(Number(af))!.push(c);
      else if (/^router bgp \d+$/.test(c)) map = null;
      else if ((m = /^address-family (ipv4|ipv6) unicast$/.exec(c))) af = m[1]!;
      else if ((m = /^neighbor (\S+) route-map (\S+) (in|out)$/.exec(c)) && af) this.bindings.set(`${af}|${m[1]}|${m[3]}`, m[2]!);
      else if ((m = /^clear bgp (ipv4|ipv6) unicast (\S+) soft in$/.exec(c))) this.clears.push(c);
      else if (c === 'exit-address-family' || c === 'exit' || c === 'end') continue;
      else throw new Error(`fake vtysh: unexpected configuration command ${c}`);
    }
  }

  runningConfig(): string {
    // The base holds `{{AF}}` inside its router bgp block, where FRR prints the address families.
    // Peer groups are activated where FRR prints it: in IPv6 always, in IPv4 only without the
    // default IPv4 activation (`no bgp default ipv4-unicast`, as the lab's FRR 10.3 leaves run).
    const af: string[] = [];
    const groups = [...this.base.matchAll(/^ neighbor (\S+) peer-group$/gm)].map((m) => `  neighbor ${m[1]} activate`);
    const v4Off = /^ no bgp default ipv4-unicast$/m.test(this.base);
    for (const fam of ['ipv4', 'ipv6']) {
      const binds = [...this.bindings].filter(([k]) => k.startsWith(`${fam}|`)).map(([k, rm]) => `  neighbor ${k.split('|')[1]} route-map ${rm} ${k.split('|')[2]}`);
      af.push(` address-family ${fam} unicast`, ...(fam === 'ipv6' || v4Off ? groups : []), ...binds, ' exit-address-family', ' !');
    }
    const out = ['Building configuration...', '', 'Current configuration:', '!', `frr version ${this.version}`, this.base.trimEnd().replace('{{AF}}', af.join('\n'))];
    for (const { lines } of this.prefixLists.values()) out.push(...[...lines].sort((a, b) => a[0] - b[0]).map(([, l]) => l), '!');
    for (const [name, entries] of this.routeMaps) {
      for (const seq of [...entries.keys()].sort((a, b) => a - b)) out.push(`route-map ${name} permit ${seq}`, ...entries.get(seq)!.map((l) => ` ${l}`), 'exit', '!');
    }
    out.push('end', '');
    return out.join('\n');
  }
}
