/**
 * Real FRR: the vty socket runner (src/frr/vty-socket.ts) against the node's own vtysh for the agent's
 * read set on a leaf (`-d bgpd`) and the observer's on a spine (no `-d`), in a running lab (8.4 or the
 * 10.3 chroot: lab-agent.test.ts runs it on both). Byte for byte after every digit run is masked
 * (uptimes and timestamps move between two reads; the whitespace, newlines and keys between and inside
 * the outputs must not), and `show running-config` through the parser, which must give the same result.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { splitJsonStream, splitJsonThenText } from '../../src/frr/bgp-prefix.js';
import { parseRunningConfig } from '../../src/frr/running-config.js';
import { parseBestpathBandwidth, parseShowVersion } from '../../src/frr/version.js';
import { vtySocket } from '../../src/frr/vty-socket.js';

const mask = (text: string) => text.replace(/\d+/g, '0');

function viaVtysh(dir: string, commands: readonly string[], daemon: string | undefined): string {
  return execFileSync(`${dir}/vtysh`, ['--vty_socket', dir, ...(daemon ? ['-d', daemon] : []), ...commands.flatMap((c) => ['-c', c])], { encoding: 'utf8', timeout: 30_000 });
}

/** Compare one leaf (the agent's reads) and one spine (the observer's); returns how many calls were compared. */
export async function compareReads(runDir: string, nsPrefix: string, leaf: string, spine: string, v4: string, v6: string): Promise<number> {
  const leafDir = `${runDir}/${nsPrefix}${leaf}`;
  const spineDir = `${runDir}/${nsPrefix}${spine}`;
  const jsonSets: [string, string[], string | undefined][] = [
    [leafDir, ['show bgp summary json'], 'bgpd'],
    [leafDir, [`show bgp ipv4 unicast ${v4} json`, `show bgp ipv6 unicast ${v6} json`], 'bgpd'],
    [leafDir, ['show bgp ipv4 unicast 198.51.100.0/24 longer-prefixes json', 'show bgp ipv6 unicast 2001:db8::/32 longer-prefixes json'], 'bgpd'],
    [spineDir, [`show ip route ${v4} json`, `show ipv6 route ${v6} json`, 'show ip route 198.51.100.0/24 longer-prefixes json'], undefined],
    [spineDir, [`show bgp ipv4 unicast ${v4} json`, `show bgp ipv6 unicast ${v6} json`], undefined],
  ];
  for (const [dir, commands, daemon] of jsonSets) {
    const a = viaVtysh(dir, commands, daemon);
    const b = await vtySocket(commands, { vtyDir: dir, ...(daemon ? { daemon } : {}) });
    assert.equal(mask(b), mask(a), `${dir}: ${commands.join(' | ')}`);
    assert.equal(splitJsonStream(b).length, commands.length);
  }
  // The tick's combined read: JSON answers, then the running configuration as text.
  const tick = ['show bgp summary json', `show bgp ipv4 unicast ${v4} json`, 'show running-config'];
  const a = splitJsonThenText(viaVtysh(leafDir, tick, 'bgpd'), 2);
  const b = splitJsonThenText(await vtySocket(tick, { vtyDir: leafDir, daemon: 'bgpd' }), 2);
  assert.equal(mask(JSON.stringify(b.values)), mask(JSON.stringify(a.values)));
  assert.deepEqual(parseRunningConfig(b.rest), parseRunningConfig(a.rest));
  // The observer's configuration and version reads.
  const spineConfig = await vtySocket(['show running-config'], { vtyDir: spineDir });
  assert.equal(parseBestpathBandwidth(spineConfig), parseBestpathBandwidth(viaVtysh(spineDir, ['show running-config'], undefined)));
  assert.match(spineConfig, /^router bgp \d+$/m);
  assert.equal(parseShowVersion(await vtySocket(['show version'], { vtyDir: spineDir })), parseShowVersion(viaVtysh(spineDir, ['show version'], undefined)));
  return jsonSets.length + 3;
}
