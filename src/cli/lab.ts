/**
 * `ballast lab`: a real FRR fabric in network namespaces (docs/lab.md). Data on stdout, progress on
 * stderr. `status` exits 1 when a spine kernel differs from the prediction, like diff.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { labDown, labSetLink, labSetServer, labUp, requireLab } from '../lab/lab.js';
import { LEAF_POLICIES, NETNS_PREFIX } from '../lab/topology.js';
import { CLIENT_MODES } from '../lab/client.js';
import { formatWeights } from '../lab/predict.js';
import { DEFAULT_RUN_DIR } from '../lab/state.js';
import { compareTraffic, labStatus, viewLab, waitConverged, type LabView } from '../lab/status.js';
import { MAX_FLOWS, sendTraffic } from '../lab/traffic.js';
import { BallastError } from '../util/errors.js';
import { addLabHealth, upLabHealth } from './lab-health.js';
import { EXIT_OVERLOAD } from './run.js';
import { CHROOT_VERSIONS, labFrrVersion, LAB_FRR_VERSIONS, type ChrootVersion } from '../lab/frr-versions.js';
import { setupFrr } from '../lab/frr-setup.js';

const SCHEMA_VERSION = 1;
// Environment rather than options, so every subcommand of one lab instance agrees without repeating them.
const runDir = (): string => process.env.BALLAST_LAB_DIR ?? DEFAULT_RUN_DIR;
const nsPrefix = (): string => process.env.BALLAST_LAB_NS_PREFIX ?? NETNS_PREFIX;
const progress = (line: string): void => {
  process.stderr.write(`ballast lab: ${line}\n`);
};
const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};
const json = (value: object): void => out(JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...value }, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v), 2));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd()).join('\n');
}

function parseFlows(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_FLOWS) throw new BallastError('E_USAGE', `--flows ${JSON.stringify(value)}: expected a whole number from 1 to ${MAX_FLOWS}`);
  return n;
}

/**
 * Wait for the spines to follow a fail/heal, bounded; reports rather than fails when they do not.
 * A healed link needs its BGP session back first (link-locals, router advertisements, connect
 * retry: 6 s measured on FRR 8.4), so links get longer than servers.
 */
async function settle(view: LabView, timeoutMs = 10_000): Promise<number | null> {
  try {
    return await waitConverged(view, timeoutMs);
  } catch (err) {
    if (err instanceof BallastError && err.code === 'E_LAB_TIMEOUT') return null;
    throw err;
  }
}

/** Router name -> FRR version it runs. */
function frrOfNodes(topology: LabView['topology']): Record<string, string> {
  return Object.fromEntries(topology.nodes.filter((n) => n.frrVersion).map((n) => [n.name, n.frrVersion!]));
}

/** `10.3` or `10.3 (2 spines), 8.4 (3 leaves, 7 servers)`. */
function versionSummary(topology: LabView['topology']): string {
  const routers = topology.nodes.filter((n) => n.frrVersion);
  const versions = [...new Set(routers.map((n) => n.frrVersion!))];
  if (versions.length === 1) return versions[0]!;
  return versions
    .map((v) => {
      const roles = (['superspine', 'spine', 'leaf', 'server', 'client'] as const).map((r) => [r, routers.filter((n) => n.frrVersion === v && n.role === r).length] as const).filter(([, k]) => k > 0);
      return `${v} (${roles.map(([r, k]) => `${k} ${k === 1 ? r : r === 'leaf' ? 'leaves' : `${r}s`}`).join(', ')})`;
    })
    .join(', ');
}

export function addLab(program: Command<[], {}, {}>): void {
  const lab = program.command('lab').description('A real FRR fabric (8.4 from the host, 10.3 from a chroot) in Linux network namespaces, for demos and end-to-end tests (root)');

  lab
    .command('setup')
    .description('Build FRR 10.3 for the lab: Debian trixie in a debootstrap chroot under /var/lib/ballast/frr (root, about 2 minutes; idempotent, resumable)')
    .addOption(new Option('--frr <version>', 'FRR version to set up').choices(CHROOT_VERSIONS).makeOptionMandatory())
    .option('--mirror <uri>', "Debian archive to build from (default: the host's, read from its apt sources)")
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const r = await setupFrr({ version: opts.frr as ChrootVersion, log: progress, ...(opts.mirror ? { mirror: opts.mirror } : {}) });
      if (opts.json) json({ frr: opts.frr, root: r.root, ran: r.ran, seconds: r.seconds });
      else out(r.ran.length ? `FRR ${opts.frr} set up in ${r.root} in ${r.seconds.toFixed(1)} s (${r.ran.join(', ')})` : `FRR ${opts.frr} already set up in ${r.root}`);
    });

  lab
    .command('up')
    .description('Bring up the fabric a fixture describes and wait until every BGP session is Established')
    .argument('<fixture>', 'fabric YAML (anycast /32s inside 198.51.100.0/24 or 203.0.113.0/24, /128s inside 2001:db8::/32)')
    .addOption(new Option('--leaf-policy <policy>', 'static leaf configuration toward the spines, or ballast: a leaf agent on every leaf').choices(LEAF_POLICIES).default('num-multipaths' as const))
    .option('--frr <version>', `run every router on this FRR version (${LAB_FRR_VERSIONS.join(' or ')}); default: each node's frr: in the fixture, else 8.4`, (v) => labFrrVersion(v))
    .addOption(new Option('--client <mode>', 'static: the client routes by the fixture\'s ingress shares; bgp: it peers with every spine and weights them by the link-bandwidth they advertise').choices(CLIENT_MODES).default('static' as const))
    .option('--health', 'also run ballast health and a small HTTP service (port 8080) in every server namespace')
    .option('--json', 'machine-readable output')
    .action(async (fixture, opts) => {
      const controller = new AbortController();
      const abort = (): void => controller.abort();
      process.once('SIGINT', abort);
      process.once('SIGTERM', abort);
      try {
        const r = await labUp({ fixture, leafPolicy: opts.leafPolicy, runDir: runDir(), nsPrefix: nsPrefix(), signal: controller.signal, log: progress, ...(opts.frr ? { frr: opts.frr } : {}), client: opts.client });
        if (opts.health) await upLabHealth(r.state, progress);
        if (opts.json) {
          json({ fixture: r.state.fixture, leafPolicy: r.state.leafPolicy, client: r.topology.client, seconds: r.seconds, namespaces: r.state.namespaces, daemons: r.state.daemons, frr: frrOfNodes(r.topology), notes: r.topology.notes });
        } else {
          out(`lab ${r.topology.fabric.name} up in ${r.seconds.toFixed(1)} s: ${r.state.namespaces.length} namespaces, ${r.state.daemons.length} FRR daemons, FRR ${versionSummary(r.topology)}, leaf policy ${r.state.leafPolicy}`);
        }
      } finally {
        process.off('SIGINT', abort);
        process.off('SIGTERM', abort);
      }
    });

  lab
    .command('status')
    .description('BGP sessions, and per anycast prefix each spine\'s and leaf\'s kernel weights beside the prediction (exit 1 on a difference)')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const view = viewLab(requireLab(runDir()));
      const s = await labStatus(view);
      const mismatch = s.weights.some((w) => !w.equal);
      const frrOf = (router: string): string => view.topology.nodes.find((n) => n.name === router)?.frrVersion ?? '';
      if (opts.json) {
        json({ fixture: view.state.fixture, leafPolicy: view.state.leafPolicy, failed: view.state.failed, failedLinks: view.state.failedLinks ?? [], frr: frrOfNodes(view.topology), sessions: s.sessions, weights: s.weights.map((w) => ({ ...w, frr: frrOf(w.router) })) });
      } else {
        const peerOrder = [...new Set(view.topology.nodes.filter((n) => n.role === 'spine').flatMap((n) => n.frr!.bgp.peerGroups.flatMap((g) => g.interfaces))), ...view.fabric.servers.map((n) => n.name)];
        const established = s.sessions.filter((x) => x.state === 'Established').length;
        const lines = [
          `lab ${view.fabric.name} (${view.state.fixture}), leaf policy ${view.state.leafPolicy}, FRR ${versionSummary(view.topology)}, up since ${view.state.startedAt}`,
          `failed servers: ${view.state.failed.length ? view.state.failed.join(', ') : 'none'}`,
          `failed links: ${view.state.failedLinks?.length ? view.state.failedLinks.join(', ') : 'none'}`,
          `BGP sessions: ${established}/${s.sessions.length} Established`,
        ];
        const notUp = s.sessions.filter((x) => x.state !== 'Established');
        for (const x of notUp) lines.push(`  ${x.node} -> ${x.neighbor}: ${x.state}`);
        for (const p of view.predictions) {
          lines.push('', `${p.prefix}: kernel weights`);
          // The prediction uses each receiving router's own version: its weight rule is what it installs.
          const rows = s.weights.filter((w) => w.prefix === p.prefix).map((w) => [w.router, frrOf(w.router), formatWeights(w.kernel, peerOrder), formatWeights(w.predicted, peerOrder), w.equal ? 'ok' : 'DIFFERS']);
          lines.push(table([['router', 'frr', 'kernel', 'predicted', ''], ...rows]));
        }
        out(lines.join('\n'));
      }
      if (mismatch) process.exitCode = EXIT_OVERLOAD;
    });

  for (const [name, healthy] of [['fail', false], ['heal', true]] as const) {
    lab
      .command(name)
      .description(
        healthy
          ? "Restore a server's anycast addresses on lo, or bring a leaf-spine (LEAF/SPINE) or spine/super-spine link (SPINE/SUPER) back up"
          : "Remove a server's anycast addresses from lo (what its health check does when the service fails), or take a leaf-spine link (LEAF/SPINE[#N]) or a spine/super-spine link (SPINE/SUPER) down, either order",
      )
      .argument('<element>', 'server name, or a link LEAF/SPINE[#N] or SPINE/SUPER')
      .option('--no-wait', 'return without waiting for the spines to follow')
      .action(async (element, opts) => {
        let line: string;
        const link = element.includes('/');
        if (link) {
          const r = await labSetLink(element, healthy, runDir());
          line = `${r.links.join(', ')}: ${r.changed ? (healthy ? 'brought up' : 'taken down') : `already ${healthy ? 'up' : 'down'}`}`;
        } else {
          const r = await labSetServer(element, healthy, runDir());
          const verb = healthy ? 'restored' : 'removed';
          line = `${element}: ${r.changed ? verb : `already ${healthy ? 'healthy' : 'failed'}`} ${r.addresses.join(', ')}`;
        }
        if (opts.wait) {
          const timeoutMs = link ? 30_000 : 10_000;
          const seconds = await settle(viewLab(requireLab(runDir())), timeoutMs);
          line += seconds === null ? `; the kernels still differ from the prediction after ${timeoutMs / 1000} s (see "ballast lab status")` : `; spine and leaf kernels match the prediction after ${seconds.toFixed(2)} s`;
        }
        out(line);
      });
  }

  lab
    .command('traffic')
    .description('Send short UDP flows from the client to every anycast prefix; per-server measured share beside the prediction')
    .option('--flows <n>', `flows per prefix, 1-${MAX_FLOWS}`, parseFlows, 2000)
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const view = viewLab(requireLab(runDir()));
      progress(`sending ${opts.flows} flows to each of ${view.predictions.length} prefixes`);
      const servers = view.topology.nodes.filter((n) => n.role === 'server');
      const client = view.topology.nodes.find((n) => n.role === 'client')!;
      const counts = await sendTraffic(servers, client.ns, view.predictions.map((p) => p.prefix), opts.flows);
      const result = compareTraffic(view.predictions, counts);
      if (opts.json) {
        json({ flows: opts.flows, leafPolicy: view.state.leafPolicy, failed: view.state.failed, sent: counts.sent, sendErrors: counts.sendErrors, seconds: counts.seconds, prefixes: result });
        return;
      }
      const lines = [`${opts.flows} flows per prefix, leaf policy ${view.state.leafPolicy}, failed servers: ${view.state.failed.length ? view.state.failed.join(', ') : 'none'}, failed links: ${view.state.failedLinks?.length ? view.state.failedLinks.join(', ') : 'none'} (${counts.seconds.toFixed(1)} s)`];
      for (const p of result) {
        lines.push('', `${p.prefix}: ${p.received} of ${opts.flows} received, largest difference ${p.maxDiffPoints.toFixed(1)} points`);
        lines.push(table([['server', 'received', 'measured', 'predicted', 'diff'], ...p.servers.map((s) => [s.server, String(s.received), pct(s.measured), pct(s.predicted), `${((s.measured - s.predicted) * 100).toFixed(1)}`])]));
      }
      if (counts.sendErrors > 0) lines.push('', `${counts.sendErrors} datagrams could not be sent (no route at the client)`);
      out(lines.join('\n'));
    });

  addLabHealth(lab);

  lab
    .command('down')
    .description('Remove everything the lab created: processes (by PID), namespaces, files; harmless when no lab exists')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const r = await labDown(runDir());
      if (opts.json) json(r);
      else out(r.removed ? `lab down in ${r.seconds.toFixed(1)} s: ${r.processes} processes ended, ${r.namespaces} namespaces removed` : 'no lab to remove');
    });
}
