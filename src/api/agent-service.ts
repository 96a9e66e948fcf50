/**
 * The gRPC AgentService over an AgentApi: validates requests, maps plain views to protobuf messages,
 * and turns BallastErrors into gRPC status codes. No logic of its own beyond that.
 */
import { status, type ServerWritableStream, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  AdvertisementKind,
  type Advertisement as PbAdvertisement,
  type AgentServiceServer,
  type DrainRequest,
  type DrainResponse,
  type GetStateRequest,
  type GetStateResponse,
  type WhatIfRequest,
  type WhatIfResponse,
  type UndrainRequest,
  type UndrainResponse,
  type WatchRequest,
  type WatchResponse,
} from '../gen/ballast/v1/agent.js';
import type { Advertisement } from '../policy/advertisement.js';
import { BallastError, type ErrorCode } from '../util/errors.js';
import type { AgentApi, AgentEvent, AgentStateView, InstalledNexthopView, PrefixView } from './agent-api.js';

export function toPbAdvertisement(a: Advertisement | null): PbAdvertisement | undefined {
  if (a === null) return undefined;
  if (a.kind === 'withdraw') return { kind: AdvertisementKind.ADVERTISEMENT_KIND_WITHDRAW, prepend: 0 };
  return { kind: AdvertisementKind.ADVERTISEMENT_KIND_ADVERTISE, ...(a.bandwidthMbps === null ? {} : { bandwidthMbps: a.bandwidthMbps }), prepend: a.prepend };
}

function nexthopMessage(h: InstalledNexthopView) {
  return { peer: h.peer, interface: h.interface, via: h.via, weight: h.weight, ...(h.kernelWeight === null ? {} : { kernelWeight: h.kernelWeight }), ...(h.bandwidthBytes === null ? {} : { bandwidthBytesPerSecond: h.bandwidthBytes }) };
}

const date = (ms: number | null): Date | undefined => (ms === null ? undefined : new Date(ms));

function prefixMessage(p: PrefixView) {
  return {
    prefix: p.prefix,
    healthyServers: p.healthyCount,
    configuredServers: p.configuredCount,
    liveCapacity: p.liveCapacity,
    configuredCapacity: p.configuredCapacity,
    current: toPbAdvertisement(p.current),
    target: toPbAdvertisement(p.target),
    damping: { hold: p.hold, nextCheckAt: date(p.nextCheckAt), raiseSince: date(p.raiseSince) },
    lastChange: date(p.lastChangeAt),
    lastReason: p.lastReason ?? '',
    driftTotal: p.driftTotal,
    servers: p.servers.map(({ neighbor, ...s }) => ({ ...s, peer: neighbor })),
    installed: (p.installed ?? []).map(nexthopMessage),
    received: (p.received ?? []).map((r) => ({ peer: r.peer, asPath: [...r.asPath], multipath: r.multipath, ...(r.bandwidthBytes === null ? {} : { bandwidthBytesPerSecond: r.bandwidthBytes }) })),
  };
}

export function stateMessage(s: AgentStateView, only: readonly string[] = []): GetStateResponse {
  const prefixes = only.length ? s.prefixes.filter((p) => only.includes(p.prefix)) : s.prefixes;
  return {
    leaf: s.leaf,
    asn: s.asn,
    mbpsPerUnit: s.mbpsPerUnit,
    dryRun: s.dryRun,
    startedAt: new Date(s.startedAt),
    prefixes: prefixes.map(prefixMessage),
    leafDrained: s.leafDrained,
    leafDrainReason: s.leafDrainReason,
    frrErrorsTotal: s.frrErrorsTotal,
    driftTotal: s.driftTotal,
    spines: [...s.spines],
    policy: s.policy && {
      mode: s.policy.mode,
      weightServers: s.policy.weightServers,
      prependBelowFraction: s.policy.prependBelowFraction,
      prependBelowServers: s.policy.prependBelowServers,
      prependLength: s.policy.prependLength,
      holdDownSeconds: s.policy.damping.holdDownSeconds,
      minIntervalSeconds: s.policy.damping.minIntervalSeconds,
      minChangeFraction: s.policy.damping.minChangeFraction,
    },
    role: s.role ?? 'agent',
    node: s.node ?? s.leaf,
    frrVersion: s.frrVersion ?? '',
    agentPhase: s.agentPhase ?? '',
    frrRestartsTotal: s.frrRestartsTotal ?? 0,
    frrFaults: (s.frrFaults ?? []).map((f) => ({ kind: f.kind, subject: f.subject, detail: f.detail, since: new Date(f.since) })),
    bestpathBandwidth: s.bestpathBandwidth ?? '',
  };
}

export function eventMessage(e: AgentEvent): WatchResponse {
  const time = new Date(e.at);
  switch (e.kind) {
    case 'decision': {
      const r = e.record;
      return {
        time,
        decision: {
          prefix: r.prefix,
          old: toPbAdvertisement(r.old),
          new: toPbAdvertisement(r.new),
          target: toPbAdvertisement(r.target),
          reason: r.reason,
          hold: r.hold,
          healthyServers: [...r.healthyServers],
          liveCapacity: r.liveCapacity,
          changed: r.changed,
        },
      };
    }
    case 'observation':
      return { time, observation: { prefix: e.prefix, healthyServers: [...e.healthyServers], liveCapacity: e.liveCapacity } };
    case 'drift':
      return { time, drift: { detail: e.differences.join('; ') } };
    case 'route':
      return { time, route: { prefix: e.prefix, installed: e.installed.map(nexthopMessage) } };
  }
}

function eventPrefix(e: AgentEvent): string | null {
  if (e.kind === 'drift') return null;
  return e.kind === 'decision' ? e.record.prefix : e.prefix;
}

/** The gRPC status of each code that is the caller's mistake or a bug; the rest are UNAVAILABLE (docs/errors.md). */
const GRPC_STATUS: Partial<Record<ErrorCode, status>> = {
  E_API_UNKNOWN_SERVER: status.NOT_FOUND,
  E_USAGE: status.INVALID_ARGUMENT,
  E_API_READ_ONLY: status.UNIMPLEMENTED,
  // The agent is there and refused: not UNAVAILABLE, which a client reads as "cannot reach it".
  E_FILE_WRITE: status.FAILED_PRECONDITION,
  // Saved, not yet in FRR: FRR is what is unavailable; the agent retries by itself (the details say so).
  E_FRR_DRAIN_PENDING: status.UNAVAILABLE,
  E_INTERNAL: status.INTERNAL,
};

export function grpcError(err: unknown): { code: status; details: string } {
  if (err instanceof BallastError) {
    const code = GRPC_STATUS[err.code] ?? status.UNAVAILABLE;
    return { code, details: `${err.message} [${err.code}]` };
  }
  return { code: status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

const MAX_REASON = 200;

function unary<Req, Res>(fn: (req: Req) => Promise<Res> | Res) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then((res) => callback(null, res), (err: unknown) => callback(grpcError(err)));
  };
}

export function agentService(api: AgentApi): AgentServiceServer {
  return {
    getState: unary<GetStateRequest, GetStateResponse>((req) => stateMessage(api.state(), req.prefixes)),
    watch: (call: ServerWritableStream<WatchRequest, WatchResponse>) => {
      const only = new Set(call.request.prefixes);
      const unsubscribe = api.subscribe((e) => {
        const p = eventPrefix(e);
        if (only.size && p !== null && !only.has(p)) return;
        call.write(eventMessage(e));
      });
      // A client that goes away must not keep a listener on the agent.
      call.on('cancelled', unsubscribe);
      call.on('close', unsubscribe);
      call.on('error', unsubscribe);
    },
    drain: unary<DrainRequest, DrainResponse>(async (req) => {
      if (req.reason.length > MAX_REASON) throw new BallastError('E_USAGE', `Drain reason is ${req.reason.length} characters, expected at most ${MAX_REASON}`);
      const r = await api.drain(req.server === '' ? null : req.server, req.reason);
      return { drained: [...r.drained], leafDrained: r.leafDrained };
    }),
    undrain: unary<UndrainRequest, UndrainResponse>(async (req) => {
      const r = await api.undrain(req.server === '' ? null : req.server);
      return { drained: [...r.drained], leafDrained: r.leafDrained };
    }),
    whatIf: unary<WhatIfRequest, WhatIfResponse>((req) => ({
      prefixes: api.whatIf(req.fail).map((p) => ({
        prefix: p.prefix,
        current: toPbAdvertisement(p.current),
        predicted: toPbAdvertisement(p.predicted),
        reason: p.reason,
        healthyServers: p.healthyCount,
        liveCapacity: p.liveCapacity,
      })),
    })),
  };
}
