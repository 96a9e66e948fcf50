/**
 * HTTP(S) check: one GET, passes on an expected status and, when configured, a body that matches.
 * No keep-alive agent: every probe is a fresh connection, as a client arriving after a failure would be.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpProbe } from '../types.js';

/** Enough for any health page; a larger body is cut here rather than buffered without end. */
const MAX_BODY_BYTES = 64 * 1024;

export function probeHttp(probe: HttpProbe, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const tls = probe.url.startsWith('https:');
    const options = { method: 'GET', agent: false, signal, headers: { 'user-agent': 'ballast-health', connection: 'close' } } as const;
    const req = tls ? httpsRequest(probe.url, { ...options, rejectUnauthorized: !probe.insecure }) : httpRequest(probe.url, options);
    req.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`GET ${probe.url}: ${err.code ?? err.message}`)));
    req.once('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (!probe.expectStatus.includes(status)) {
        res.destroy();
        reject(new Error(`GET ${probe.url}: status ${status}, expected ${probe.expectStatus.join(' or ')}`));
        return;
      }
      if (probe.bodyMatch === null) {
        res.destroy();
        resolve(`status ${status}`);
        return;
      }
      const pattern = new RegExp(probe.bodyMatch);
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (pattern.test(body)) resolve(`status ${status}, body matches`);
        else reject(new Error(`GET ${probe.url}: body does not match /${probe.bodyMatch}/ (${JSON.stringify(body.slice(0, 60))})`));
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_BODY_BYTES) {
          res.destroy();
          finish();
        }
      });
      res.once('end', finish);
      res.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`GET ${probe.url}: ${err.code ?? err.message}`)));
    });
    req.end();
  });
}
