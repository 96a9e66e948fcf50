/** `ballast health status` as text: one block per service, one line per check. Pure. */
import type { Style } from '../util/style.js';
import type { HealthSnapshot } from './snapshot.js';


export function renderStatus(snap: HealthSnapshot, style: Style): string {
  const lines: string[] = [];
  lines.push(style.dim(`pid ${snap.pid}, since ${snap.startedAt}, interface ${snap.interface}, on exit ${snap.onExit}${snap.dryRun ? ', DRY RUN' : ''}`));
  for (const s of snap.services) {
    const verdict = s.verdict === 'healthy' ? style.green(s.verdict) : s.verdict === 'unhealthy' ? style.red(s.verdict) : style.yellow(s.verdict);
    const rotation = s.inRotation === true ? style.green('in rotation') : s.inRotation === false ? style.red('withdrawn') : style.yellow('not decided yet');
    lines.push(`${style.bold(s.name)}  ${verdict}  ${rotation}  ${s.prefixes.join(' ')}${s.probation ? style.yellow('  (probation after undrain)') : ''}`);
    for (const [source, d] of [['command', s.drains.command], ['file', s.drains.file]] as const) {
      if (d) lines.push(`  ${style.yellow(`drained (${source})`)} since ${d.since}: ${d.reason}`);
    }
    const width = Math.max(...s.checks.map((c) => c.name.length));
    for (const c of s.checks) {
      const status = c.status === 'up' ? style.green('up  ') : c.status === 'down' ? style.red('down') : style.yellow('init');
      const last = c.last === null ? 'no result yet' : `${c.last.ok ? 'pass' : 'FAIL'} in ${(c.last.durationSeconds * 1000).toFixed(0)} ms${c.last.ok ? '' : `: ${c.last.detail}`}`;
      lines.push(`  ${c.name.padEnd(width)}  ${status}  ${c.type} ${c.target}  ${style.dim(`${c.failStreak > 0 ? `${c.failStreak} failed` : `${c.okStreak} passed`} in a row (rise ${c.rise}, fall ${c.fall}), ${c.runs} runs, ${c.failures} failed, went up ${c.transitions.up}x down ${c.transitions.down}x`)}`);
      lines.push(`  ${''.padEnd(width)}  ${style.dim(`last: ${last}`)}`);
    }
  }
  return lines.join('\n');
}
