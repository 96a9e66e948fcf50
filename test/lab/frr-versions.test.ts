// The lab's FRR versions as data: version names, per-node versions, the chroot's paths and sources,
// mount bookkeeping, and the prediction per receiving router's version. Pure, no root.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from '../../src/fabric/load.js';
import { vtyshWrapper } from '../../src/lab/daemons.js';
import { chrootSourcesList, hostMirror } from '../../src/lab/frr-setup.js';
import { chrootView, labDaemons, labFrrVersion, labWeightModel, mountsUnder, nodeVersions } from '../../src/lab/frr-versions.js';
import { predictLab } from '../../src/lab/predict.js';
import { labTopology } from '../../src/lab/topology.js';
import { BallastError } from '../../src/util/errors.js';

const lab421 = loadFixture('fixtures/lab-421.yaml');

test('lab FRR versions: 8.4 and 10.3 (with or without a patch level); anything else is refused with the list', () => {
  assert.equal(labFrrVersion('8.4'), '8.4');
  assert.equal(labFrrVersion('8.4.4'), '8.4');
  assert.equal(labFrrVersion('10.3'), '10.3');
  assert.equal(labFrrVersion('10.3.1'), '10.3');
  for (const bad of ['10.0.3', '9.1', '10', 'latest', '']) {
    assert.throws(() => labFrrVersion(bad), (e: unknown) => e instanceof BallastError && e.code === 'E_LAB_FIXTURE' && /8\.4 or 10\.3/.test(e.message), bad);
  }
  assert.deepEqual(labDaemons('8.4'), ['zebra', 'bgpd']);
  assert.deepEqual(labDaemons('10.3'), ['mgmtd', 'zebra', 'bgpd'], 'FRR 10 zebra needs its mgmtd, started first');
  assert.equal(labWeightModel('8.4'), 'frr8');
});

test('per-node versions: --frr runs every node on it; without it the fixture names them, else 8.4', () => {
  const fabric = {
    spines: [{ name: 's1', frr: { text: '10.3' } }, { name: 's2' }],
    leaves: [{ name: 'l1', frr: { text: '8.4.4' } }],
    servers: [{ name: 'v1' }],
  };
  assert.deepEqual([...nodeVersions(fabric, undefined)], [['s1', '10.3'], ['s2', '8.4'], ['l1', '8.4'], ['v1', '8.4']]);
  assert.deepEqual([...nodeVersions(fabric, '10.3').values()], ['10.3', '10.3', '10.3', '10.3']);
  assert.throws(() => nodeVersions({ spines: [{ name: 's1', frr: { text: '10.0.3' } }], leaves: [], servers: [] }, undefined), /s1's frr, or give --frr/);
  // --frr overrides a version the lab cannot run (the prediction then follows what runs).
  assert.equal(nodeVersions({ spines: [{ name: 's1', frr: { text: '10.0.3' } }], leaves: [], servers: [] }, '10.3').get('s1'), '10.3');
});

test('topology: every router carries its version; the host default is 8.4', () => {
  const t84 = labTopology(lab421, 'num-multipaths', '/run/ballast-lab');
  assert.ok(t84.nodes.filter((n) => n.frr).every((n) => n.frrVersion === '8.4'));
  const t103 = labTopology(lab421, 'num-multipaths', '/run/ballast-lab', 'bl-', '10.3');
  assert.ok(t103.nodes.filter((n) => n.frr).every((n) => n.frrVersion === '10.3'));
  assert.equal(t103.nodes.find((n) => n.role === 'client')!.frrVersion, undefined);
});

test('prediction follows each receiving router: lab-421 num-multipaths on 10.3 spines is 254/127/63, on 8.4 57/28/14', () => {
  const spine1 = (labFrr?: '8.4' | '10.3') => Object.fromEntries(predictLab(lab421, 'num-multipaths', [], labFrr)[0]!.routers.find((r) => r.router === 'spine1')!.predicted);
  assert.deepEqual(spine1(), { leaf1: 57, leaf2: 28, leaf3: 14 });
  assert.deepEqual(spine1('8.4'), { leaf1: 57, leaf2: 28, leaf3: 14 });
  assert.deepEqual(spine1('10.3'), { leaf1: 254, leaf2: 127, leaf3: 63 });
});

test('chroot paths: the view sits beside the run directory, never inside it (down deletes the run directory)', () => {
  assert.equal(chrootView('/run/ballast-lab', '10.3'), '/run/ballast-lab.frr-10.3');
  assert.equal(chrootView('/run/ballast-lab/', '10.3'), '/run/ballast-lab.frr-10.3');
});

test('mountsUnder: mount points at or below a path, deepest first, octal escapes decoded, no prefix false positives', () => {
  const info = [
    '22 1 0:21 / / rw - ext4 /dev/vda rw',
    '30 22 0:30 / /run/l.frr-10.3 rw - ext4 /dev/vda rw',
    '31 30 0:4 / /run/l.frr-10.3/proc rw - proc proc rw',
    '32 30 0:31 / /run/l.frr-10.3/run/a\\040b rw - tmpfs tmpfs rw',
    '33 22 0:32 / /run/l.frr-10.3x rw - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(mountsUnder('/run/l.frr-10.3', info), ['/run/l.frr-10.3/run/a b', '/run/l.frr-10.3/proc', '/run/l.frr-10.3']);
  assert.deepEqual(mountsUnder('/nowhere', info), []);
});

test('host mirror: read from deb822 sources (security suites skipped), else sources.list, else deb.debian.org', () => {
  const deb822 = 'Types: deb\nURIs: http://security.debian.org/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\n';
  assert.deepEqual(hostMirror({ deb822 }), { archive: 'http://mirror.example/debian', security: 'http://security.debian.org/debian-security' });
  assert.deepEqual(hostMirror({ list: '# x\ndeb [arch=amd64] http://m2.example/debian bookworm main\n' }), { archive: 'http://m2.example/debian', security: 'http://m2.example/debian-security' });
  assert.deepEqual(hostMirror({}), { archive: 'http://deb.debian.org/debian', security: 'http://deb.debian.org/debian-security' });
  assert.equal(chrootSourcesList({ archive: 'http://deb.debian.org/debian', security: 'http://deb.debian.org/debian-security' }, 'trixie'), 'deb http://deb.debian.org/debian trixie main\ndeb http://deb.debian.org/debian trixie-updates main\ndeb http://deb.debian.org/debian-security trixie-security main\n');
});

test('vtysh wrapper: the host vtysh for 8.4 nodes, the chroot view\'s for 10.3 ones', () => {
  assert.equal(vtyshWrapper({ view: null }), '#!/bin/sh\nexec vtysh "$@"\n');
  assert.equal(vtyshWrapper({ view: '/run/l.frr-10.3' }), "#!/bin/sh\nexec chroot '/run/l.frr-10.3' /usr/bin/vtysh \"$@\"\n");
});
