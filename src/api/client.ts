/** A small promise-based client for AgentService, used by the CLI (status, watch, drain, snapshot). */
import { readFileSync } from 'node:fs';
import { credentials as grpcCredentials, Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { AgentServiceClient, type GetStateResponse, type DrainResponse, type UndrainResponse, type WhatIfResponse, type WatchResponse } from '../gen/ballast/v1/agent.js';
import { BallastError, ERROR_CODES, quote, type ErrorCode } from '../util/errors.js';
import { DEFAULT_SOCKET } from './listen.js';

export interface ClientTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface AgentClient {
  readonly target: string;
  getState(prefixes?: readonly string[]): Promise<GetStateResponse>;
  drain(server: string | null, reason: string): Promise<DrainResponse>;
  undrain(server: string | null): Promise<UndrainResponse>;
  whatIf(fail: readonly string[]): Promise<WhatIfResponse>;
  /** Calls `onEvent` for every event until the returned stop function is called or the stream ends. */
  watch(prefixes: readonly string[], onEvent: (e: WatchResponse) => void): { stop: () => void; done: Promise<void> };
  close(): void;
}

/**
 * Drain and Undrain answer once the agent has applied them (read the prefixes, write, read back: three
 * vtysh calls, behind whatever the agent's queue holds). Measured on FRR 10.3 in the lab at load: 4.3-5
 * s after the agent got the call, beyond the 5 s of a read, so the CLI said "unavailable" about a drain
 * that was kept and applied. They get this long instead.
 */
export const APPLY_DEADLINE_MS = 30_000;

/** `unix:///run/ballast/agent.sock`, `/path.sock`, or `host:port` (TLS required for TCP). */
export function connectAgent(target: string = `unix://${DEFAULT_SOCKET}`, tls: ClientTls | null = null, deadlineMs = 5000): AgentClient {
  let address: string;
  let creds: ChannelCredentials;
  if (target.startsWith('unix://') || target.startsWith('/')) {
    address = `unix:${target.startsWith('/') ? target : target.slice('unix://'.length)}`;
    creds = grpcCredentials.createInsecure();
  } else {
    address = target.replace(/^tcp:\/\//, '');
    if (!tls) throw new BallastError('E_API_INSECURE', `Cannot reach ${quote(target)} over plain TCP: the agent serves TCP only with mutual TLS; pass --tls-ca, --tls-cert and --tls-key`);
    creds = grpcCredentials.createSsl(readFileSync(tls.ca), readFileSync(tls.key), readFileSync(tls.cert));
  }
  const client = new AgentServiceClient(address, creds);
  const deadline = (ms = deadlineMs) => ({ deadline: Date.now() + ms });
  const applied = () => deadline(Math.max(deadlineMs, APPLY_DEADLINE_MS));
  const call = <T>(fn: (cb: (err: ServiceError | null, res: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => fn((err, res) => (err ? reject(clientError(target, err)) : resolve(res))));
  return {
    target,
    getState: (prefixes = []) => call((cb) => client.getState({ prefixes: [...prefixes] }, new Metadata(), deadline(), cb)),
    drain: (server, reason) => call((cb) => client.drain({ server: server ?? '', reason }, new Metadata(), applied(), cb)),
    undrain: (server) => call((cb) => client.undrain({ server: server ?? '' }, new Metadata(), applied(), cb)),
    whatIf: (fail) => call((cb) => client.whatIf({ fail: [...fail] }, new Metadata(), deadline(), cb)),
    watch(prefixes, onEvent) {
      const stream = client.watch({ prefixes: [...prefixes] });
      const done = new Promise<void>((resolve, reject) => {
        stream.on('data', onEvent);
        stream.on('end', () => resolve());
        stream.on('error', (err: ServiceError) => (err.code === 1 /* CANCELLED */ ? resolve() : reject(clientError(target, err))));
      });
      return { stop: () => stream.cancel(), done };
    },
    close: () => client.close(),
  };
}

function clientError(target: string, err: ServiceError): BallastError {
  // The agent's own refusals end in "[E_CODE]" (agent-service.ts): report that code and message, even
  // under UNAVAILABLE (an FRR failure), rather than "cannot reach the agent".
  const own = /^(.*) \[(E_[A-Z_]+)\]$/s.exec(err.details ?? '');
  // A drain saved but not yet in FRR was not refused: the agent answered it so.
  if (own && (ERROR_CODES as readonly string[]).includes(own[2]!)) return new BallastError(own[2] as ErrorCode, `The agent at ${quote(target)} ${own[2] === 'E_FRR_DRAIN_PENDING' ? 'answered' : 'refused'}: ${own[1]}`);
  const unreachable = err.code === 14; // UNAVAILABLE: nothing listening, or refused
  return new BallastError('E_API_UNAVAILABLE', unreachable ? `Cannot reach the agent at ${quote(target)}: ${err.details} (is ballast agent running, and may you open its socket?)` : `The agent at ${quote(target)} answered: ${err.details}`);
}
