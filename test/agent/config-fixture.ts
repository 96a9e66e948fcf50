/** A complete, valid agent config for the tests (the ag- test fabric's leaf l1). */
export const GOOD = `leaf: l1
frr:
  vty-socket-dir: /run/ballast-ag/l1
  timeout-ms: 2000
bgp:
  asn: 65201
  spine-peer-group: SPINE
prefixes: [198.51.100.1/32, "2001:db8:100::10/128"]
servers:
  match: { peer-group: SERVERS }
  default-capacity: 10
  list:
    - { neighbor: s11, capacity: 10 }
    - { neighbor: s12 }
    - { neighbor: s13, name: big, capacity: 20, prefixes: [198.51.100.1/32] }
policy:
  mode: link-bandwidth
  mbps-per-unit: 100
  damping: { hold-down-seconds: 3, min-interval-seconds: 1 }
intervals: { resync-seconds: 5, reconcile-seconds: 2 }
`;

/** The prefix the engine tests drive. */
export const ONE_PREFIX = '198.51.100.1/32';

/** GOOD narrowed to one prefix, with timers and the route monitor out of the way (tests drive every read). */
export const ONE_PREFIX_YAML = GOOD.replace('prefixes: [198.51.100.1/32, "2001:db8:100::10/128"]', `prefixes: [${ONE_PREFIX}]`).replace(
  'intervals: { resync-seconds: 5, reconcile-seconds: 2 }',
  'intervals: { resync-seconds: 3600, reconcile-seconds: 3600 }\nevents: { route-monitor: false }',
);
