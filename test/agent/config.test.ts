import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentConfig, staticChanges } from '../../src/agent/config.js';
import { InputError } from '../../src/util/errors.js';
import { GOOD } from './config-fixture.js';


test('a complete config: static and reloadable parts apart, defaults filled', () => {
  const c = parseAgentConfig(GOOD, 'agent.yaml');
  assert.deepEqual(c.static, { leaf: 'l1', vtysh: 'vtysh', vtyDir: '/run/ballast-ag/l1', timeoutMs: 2000, reads: 'socket', asn: 65201, spinePeerGroup: 'SPINE', routeMap: 'BALLAST', chainRouteMap: null, routeMonitor: true, apiListen: 'unix:///run/ballast/agent.sock', tlsCert: null, tlsKey: null, tlsClientCa: null, metricsPort: null, stateFile: '/var/lib/ballast/agent-state.json' });
  const r = c.reloadable;
  assert.deepEqual(r.prefixes.map((p) => p.text), ['198.51.100.1/32', '2001:db8:100::10/128']);
  assert.deepEqual(r.serverMatch, { kind: 'peer-group', peerGroup: 'SERVERS' });
  assert.deepEqual(r.servers.map((s) => [s.neighbor, s.name, s.capacity, s.prefixes.length]), [['s11', 's11', 10, 2], ['s12', 's12', 10, 2], ['s13', 'big', 20, 1]]);
  assert.equal(r.policy.mbpsPerUnit, 100);
  assert.equal(r.policy.damping.holdDownSeconds, 3);
  assert.equal(r.fastCut, true);
  assert.equal(r.reconcileSeconds, 2);
  assert.equal(r.heldPollSeconds, 1);
});

function errorOf(text: string): InputError {
  try {
    parseAgentConfig(text, 'agent.yaml');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  assert.fail('expected an InputError');
}

test('mistakes are reported with file:line:col and a stable code', () => {
  const cases: [string, string, RegExp, string][] = [
    [GOOD.replace('timeout-ms: 2000', 'timeout-msec: 2000'), 'E_SCHEMA_UNKNOWN_KEY', /^agent\.yaml:4:3: Unknown key "timeout-msec"/, 'typo'],
    [GOOD.replace('198.51.100.1/32,', '198.51.100.300/32,'), 'E_PREFIX_INVALID', /^agent\.yaml:8:12: .*octet "300"/, 'bad prefix'],
    [GOOD.replace('198.51.100.1/32,', '198.51.100.1/24,'), 'E_PREFIX_HOST_BITS', /^agent\.yaml:8:12: .*host bits are set/, 'range with host bits'],
    [GOOD.replace('{ peer-group: SERVERS }', '{ peer-group: SERVERS, asn: 65300 }'), 'E_SCHEMA_VALUE', /^agent\.yaml:10:10: servers\.match has 2/, 'two matchers'],
    [GOOD.replace('mbps-per-unit: 100', 'mbps-per-unit: 1000'), 'E_BANDWIDTH_RANGE', /^agent\.yaml:18:18: .*40000 Mbps/, 'out of FRR range'],
    [GOOD.replace('prefixes: [198.51.100.1/32] }', 'prefixes: [198.51.100.9/32] }'), 'E_UNKNOWN_REFERENCE', /not a managed prefix/, 'server prefix'],
    [GOOD.replace('  spine-peer-group: SPINE\n', ''), 'E_SCHEMA_MISSING', /Missing "spine-peer-group" in bgp/, 'missing'],
    [`${GOOD}api: { listen: "tcp://0.0.0.0:50051" }\n`, 'E_API_INSECURE', /api\.listen is "tcp:\/\/0\.0\.0\.0:50051": the API serves TCP only with mutual TLS/, 'plaintext TCP'],
    [`${GOOD}api: { listen: "http://x" }\n`, 'E_API_LISTEN', /Cannot listen on "http:\/\/x"/, 'bad listen'],
    [GOOD.replace('spine-peer-group: SPINE', 'spine-peer-group: "SP INE"'), 'E_SCHEMA_TYPE', /expected a name/, 'unsafe name reaching vtysh'],
  ];
  for (const [text, code, message, what] of cases) {
    const e = errorOf(text);
    assert.equal(e.code, code, what);
    assert.match(e.format(), message, what);
  }
});

test('static changes are named so a reload can refuse them', () => {
  const a = parseAgentConfig(GOOD, 'a.yaml');
  const b = parseAgentConfig(GOOD.replace('asn: 65201', 'asn: 65202').replace('hold-down-seconds: 3', 'hold-down-seconds: 5'), 'b.yaml');
  assert.deepEqual(staticChanges(a.static, b.static), ['asn']);
});
