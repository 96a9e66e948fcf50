/**
 * Drains kept in a small JSON file, so a drained server stays drained across agent restarts. Written
 * to a temporary file and renamed, so a crash never leaves half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BallastError, quote } from '../util/errors.js';
import { readTextFile } from '../util/files.js';
import { NO_DRAINS, type DrainRecord, type DrainState, type DrainStore } from './drains.js';

interface DrainFile {
  readonly schemaVersion: 1;
  readonly servers: Record<string, DrainRecord>;
  readonly leaf: DrainRecord | null;
}

export function fileDrainStore(path: string): DrainStore {
  return {
    load(): DrainState {
      const text = readTextFile(path, 'the agent state', null);
      if (text === null) return NO_DRAINS;
      let data: DrainFile;
      try {
        data = JSON.parse(text) as DrainFile;
      } catch {
        throw new BallastError('E_FILE_READ', `Cannot parse the agent state ${quote(path)}: not JSON; move it away to start without drains`);
      }
      return { servers: new Map(Object.entries(data.servers ?? {})), leaf: data.leaf ?? null };
    },
    save(state: DrainState): void {
      const data: DrainFile = { schemaVersion: 1, servers: Object.fromEntries(state.servers), leaf: state.leaf };
      try {
        mkdirSync(dirname(path), { recursive: true });
        const tmp = `${path}.tmp-${process.pid}`;
        writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
        renameSync(tmp, path);
      } catch (err) {
        throw new BallastError('E_FILE_WRITE', `Cannot keep the drain in ${quote(path)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; nothing was changed`);
      }
    },
  };
}
