// The shipped monitoring: the alert rules pass promtool's own unit tests (Debian's prometheus
// package) on synthetic series, and every metric the rules and the dashboard query is one ballast
// exports (test/lab/lab-prometheus.test.ts then asks a real Prometheus for each on the lab).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DASHBOARD, exportedNames, metricNames, queriedExpressions, RULES } from './monitoring.js';

const promtool = existsSync('/usr/bin/promtool') ? '/usr/bin/promtool' : null;
const skip = promtool ? false : process.env.BALLAST_REQUIRE_PROMETHEUS === '1' ? false : 'promtool not installed (apt-get install prometheus)';

test('promtool: the rules check and their unit tests pass', { skip }, () => {
  const check = spawnSync(promtool ?? 'promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const run = spawnSync(promtool ?? 'promtool', ['test', 'rules', 'ballast.rules.test.yml'], { encoding: 'utf8', cwd: 'deploy/prometheus' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout + run.stderr, /SUCCESS/);
});

test('every alert of the rules file has a promtool test that expects it to fire', () => {
  const alerts = [...readFileSync(RULES, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
  const tests = readFileSync('deploy/prometheus/ballast.rules.test.yml', 'utf8');
  for (const a of alerts) assert.match(tests, new RegExp(`alertname: ${a}\\n\\s+exp_alerts:\\n\\s+- exp_labels`), `${a} has no firing test`);
});

test('every metric the rules and the dashboard query is exported by ballast', async () => {
  const exported = await exportedNames();
  const { rules, dashboard } = queriedExpressions();
  assert.ok(rules.length >= 10 && dashboard.length >= 15, `${rules.length} rule and ${dashboard.length} dashboard expressions`);
  for (const expr of [...rules, ...dashboard]) {
    const names = metricNames(expr);
    assert.ok(names.length > 0, `no metric found in ${expr}`);
    for (const n of names) assert.ok(exported.has(n), `${n} (in ${JSON.stringify(expr)}) is not exported by ballast`);
  }
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string }[] };
  for (const want of ['Healthy servers', 'capacity', 'Advertised', 'Spine weights installed vs predicted', 'Decisions', 'Drift']) assert.ok(dash.panels.some((p) => p.title.includes(want)), `a panel for ${want}`);
});
