/**
 * The lab's health-checker commands (docs/health.md, "In the lab"): `ballast lab up --health` calls
 * startLabHealth; `ballast lab service stop|start SERVER` stops or starts a server's HTTP service.
 */
import type { Command } from '@commander-js/extra-typings';
import { loadFixture } from '../fabric/load.js';
import { startLabHealth, setLabService } from '../lab/health.js';
import { requireLab } from '../lab/lab.js';
import { DEFAULT_RUN_DIR, type LabState } from '../lab/state.js';

const runDir = (): string => process.env.BALLAST_LAB_DIR ?? DEFAULT_RUN_DIR;

/** After `lab up`: a checker and an HTTP service in every server namespace. */
export async function upLabHealth(state: LabState, log: (line: string) => void): Promise<void> {
  await startLabHealth(state, loadFixture(state.fixture), log);
}

export function addLabHealth(lab: Command<[], {}, {}>): void {
  const service = lab.command('service').description("Stop or start a server's HTTP service (lab up --health): its health checker withdraws or restores the anycast addresses");
  for (const [name, running] of [['stop', false], ['start', true]] as const) {
    service
      .command(name)
      .description(running ? "Start the server's HTTP service again" : "Stop the server's HTTP service (the server stays up)")
      .argument('<server>', 'server name from the fixture')
      .action(async (server) => {
        requireLab(runDir());
        const r = await setLabService(runDir(), server, running);
        process.stdout.write(`${server}: HTTP service ${r.changed ? (running ? `started (pid ${r.pid})` : 'stopped') : `already ${running ? 'running' : 'stopped'}`}\n`);
      });
  }
}
