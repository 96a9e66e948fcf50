/**
 * CPU per read, vtysh against the vty socket (src/frr/vty-socket.ts), 10 calls each, on a running lab
 * leaf (bench/vty-socket.md): this process (process.cpuUsage), its children (vtysh, from /proc/self/stat
 * cutime+cstime), bgpd (/proc/PID/stat) and the wall time.
 *   sudo BALLAST_LAB_NS_PREFIX=vy- BALLAST_LAB_DIR=/tmp/lab-vty npx tsx src/cli/main.ts lab up fixtures/lab-tiny.yaml --leaf-policy ballast
 *   sudo npx tsx bench/vty-socket.ts /tmp/lab-vty/vy-leaf01 8.4
 */
import { readFileSync } from 'node:fs';
import { vtySocket } from '../src/frr/vty-socket.js';
import { vtysh } from '../src/frr/vtysh.js';
const [dir, tag] = process.argv.slice(2) as [string, string];
const HZ = 100;
const selfKids = () => { const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' '); return (Number(f[13]) + Number(f[14])) / HZ * 1000; };
const daemon = () => { const pid = readFileSync(`${dir}/bgpd.pid`, 'utf8').trim(); const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) / HZ * 1000; };
const sets: Record<string, string[]> = { summary: ['show bgp summary json'], tick: ['show bgp summary json', 'show bgp ipv4 unicast 198.51.100.1/32 json', 'show running-config'] };
for (const [name, cmds] of Object.entries(sets)) {
  for (const how of ['vtysh', 'socket'] as const) {
    await (how === 'vtysh' ? vtysh(cmds, { vtyDir: dir, binary: `${dir}/vtysh`, daemon: 'bgpd' }) : vtySocket(cmds, { vtyDir: dir, daemon: 'bgpd' }));
    const c0 = process.cpuUsage(); const k0 = selfKids(); const d0 = daemon(); const t0 = performance.now();
    for (let i = 0; i < 10; i++) await (how === 'vtysh' ? vtysh(cmds, { vtyDir: dir, binary: `${dir}/vtysh`, daemon: 'bgpd' }) : vtySocket(cmds, { vtyDir: dir, daemon: 'bgpd' }));
    const c = process.cpuUsage(c0); const wall = performance.now() - t0;
    const self = (c.user + c.system) / 1000, kids = selfKids() - k0, bgpd = daemon() - d0;
    console.log(`| ${tag} | ${name} (${cmds.length} cmd) | ${how} | ${(self / 10).toFixed(1)} | ${(kids / 10).toFixed(1)} | ${((self + kids) / 10).toFixed(1)} | ${(bgpd / 10).toFixed(1)} | ${(wall / 10).toFixed(1)} |`);
  }
}
