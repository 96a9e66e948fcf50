/** The running Agent as the API's AgentApi: reads its beliefs, forwards drains, maps its notices. */
import type { Agent } from '../agent/agent.js';
import { configuredFor } from '../agent/observation.js';
import type { AgentApi, AgentStateView, PrefixView, ServerView } from './agent-api.js';

export function agentApi(agent: Agent, options: { dryRun: boolean }): AgentApi {
  const state = (): AgentStateView => {
    const cfg = agent.currentConfig;
    const r = cfg.reloadable;
    const drains = agent.drainState;
    const records = agent.latestRecords();
    const snapshot = agent.snapshot();
    const prefixes = r.prefixes.map((p): PrefixView => {
      const st = snapshot.get(p.text);
      const rec = records.get(p.text);
      const obs = st?.observation ?? null;
      const configured = obs ? configuredFor(r, obs) : { count: r.servers.filter((s) => s.prefixes.includes(p.text)).length, capacity: 0 };
      const healthy = new Set(rec?.healthyServers ?? []);
      const listed = r.servers.filter((s) => s.prefixes.includes(p.text));
      const unlisted = (obs?.servers ?? []).filter((o) => !listed.some((s) => s.neighbor === o.neighbor));
      const servers: ServerView[] = [
        ...listed.map((s) => ({ name: s.name, neighbor: s.neighbor, capacity: s.capacity })),
        ...unlisted.map((o) => ({ name: o.name, neighbor: o.neighbor, capacity: o.capacity })),
      ].map((s) => {
        const drain = drains.leaf ?? drains.servers.get(s.name) ?? null;
        // The AS its path arrived with; 0 while no path from it is seen.
        const asn = obs?.servers.find((o) => o.neighbor === s.neighbor)?.asn ?? 0;
        return { ...s, healthy: healthy.has(s.name), drained: drain !== null, drainReason: drain?.reason ?? '', asn };
      });
      return {
        prefix: p.text,
        healthyCount: rec?.healthyServers.length ?? 0,
        configuredCount: configured.count,
        liveCapacity: rec?.liveCapacity ?? 0,
        configuredCapacity: rec?.configuredCapacity ?? configured.capacity,
        current: st?.damping?.current ?? null,
        target: rec?.target ?? null,
        hold: st?.lastHold ?? 'none',
        nextCheckAt: st?.nextCheckAt ?? null,
        raiseSince: st?.damping?.raiseSince ?? null,
        lastChangeAt: st?.damping?.lastChangeAt ?? null,
        lastReason: st?.lastReason ?? null,
        // Drift is found per leaf configuration (entries are shared by prefixes with the same servers).
        driftTotal: agent.counters.drift,
        servers,
      };
    });
    return {
      leaf: cfg.static.leaf,
      asn: cfg.static.asn,
      mbpsPerUnit: r.policy.mbpsPerUnit,
      dryRun: options.dryRun,
      startedAt: agent.startedAt,
      leafDrained: drains.leaf !== null,
      leafDrainReason: drains.leaf?.reason ?? '',
      frrErrorsTotal: agent.counters.frrErrors,
      agentPhase: agent.phase,
      frrRestartsTotal: agent.counters.frrRestarts,
      frrFaults: agent.frrFaults(),
      driftTotal: agent.counters.drift,
      prefixes,
      spines: agent.spineNeighbors(),
      policy: r.policy,
    };
  };
  const drainView = () => {
    const d = agent.drainState;
    return { drained: [...d.servers.keys()].sort(), leafDrained: d.leaf !== null };
  };
  return {
    state,
    subscribe(listener) {
      return agent.subscribe(listener);
    },
    async drain(server, reason) {
      await agent.setDrain(server, reason || 'drained by operator');
      return drainView();
    },
    async undrain(server) {
      await agent.setDrain(server, null);
      return drainView();
    },
    whatIf(fail) {
      const snapshot = agent.snapshot();
      // Prefixes not read from FRR yet have nothing to predict from.
      return [...agent.whatIf(fail)].flatMap(([prefix, w]) =>
        w === null ? [] : [{ prefix, current: snapshot.get(prefix)?.damping?.current ?? null, predicted: w.advertisement, reason: w.reason, healthyCount: w.healthyServers.length, liveCapacity: w.liveCapacity }],
      );
    },
  };
}
