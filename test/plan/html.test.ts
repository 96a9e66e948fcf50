/**
 * The HTML report rendered by a real browser: headless Chromium (Debian's `chromium`) loads the file,
 * runs its script and dumps the DOM, which must hold the drawn fabric, the charts and the tables.
 * CI installs Chromium (.ci/run) and sets BALLAST_REQUIRE_CHROMIUM=1, so there a missing browser fails.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadFixture, parseFixture } from '../../src/fabric/load.js';
import { GENERATE_DEFAULTS, generateFixture } from '../../src/fabric/generate.js';
import { STRATEGIES } from '../../src/fabric/types.js';
import { runPlan } from '../../src/plan/plan.js';
import { MAX_DRAWN_SERVERS, renderPlanHtml } from '../../src/plan/report-html.js';

/** Debian's Chromium, or why not. The test never installs it: .ci/run does (tests leave the host as it is). */
function chromium(): { path: string } | { reason: string } {
  for (const c of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(c)) return { path: c };
  return { reason: 'chromium is not installed (apt-get install chromium; .ci/run does)' };
}

const browser = chromium();
const required = process.env.BALLAST_REQUIRE_CHROMIUM === '1';
const skip = 'reason' in browser ? (required ? false : `skipped: ${browser.reason}`) : false;
if (skip) process.stderr.write(`html report test ${skip}\n`);

function dumpDom(html: string): string {
  if ('reason' in browser) throw new Error(browser.reason);
  const dir = mkdtempSync(join(tmpdir(), 'ballast-html-'));
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    return execFileSync(browser.path, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', pathToFileURL(file).href,
    ], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

test('the HTML report is self-contained: no external URL, no external script, style or image', () => {
  const fabric = loadFixture('fixtures/warning.yaml');
  const html = renderPlanHtml(runPlan(fabric, { fixture: 'fixtures/warning.yaml', k: 2, strategies: [...STRATEGIES], budget: 1e6, beamWidth: 8, keepWorst: 5, recommend: true }), fabric);
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
  assert.doesNotMatch(html, /url\(|@import|<link\b/i);
  assert.match(html, /<script type="application\/json" id="plan-data">/);
});

test('headless Chromium draws the fabric, the strategy charts and the worst scenarios', { skip }, () => {
  const fabric = loadFixture('fixtures/warning.yaml');
  const report = runPlan(fabric, { fixture: 'fixtures/warning.yaml', k: 2, strategies: [...STRATEGIES], budget: 1e6, beamWidth: 8, keepWorst: 5, recommend: true });
  const dom = dumpDom(renderPlanHtml(report, fabric));
  assert.match(dom, /<body[^>]*data-rendered="true"/, 'the script ran to the end');
  // One rect per server; the view shown first is ballast's worst scenario (leaf01 and leaf02 down).
  assert.match(dom, /<body[^>]*data-view="ballast-worst"/);
  assert.equal(count(dom, /class="server"/g), 32);
  const fills = [...dom.matchAll(/<rect [^>]*class="server"[^>]*fill="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(fills.filter((f) => f === '#9e9e9e').length, 16, 'the 16 servers of the failed leaves are grey');
  assert.equal(fills.filter((f) => f !== '#9e9e9e').length, 16);
  // Every strategy has a bar in the safe-load chart, and its worst-scenario table has rows.
  for (const s of STRATEGIES) {
    assert.match(dom, new RegExp(`<rect [^>]*class="bar" data-strategy="${s}"`));
    assert.match(dom, new RegExp(`<table id="worst-${s}">.*?leaf01, leaf02`, 's'));
  }
  assert.equal(count(dom, /<button [^>]*data-view=/g), 6 + 3, 'no failure, worst, worst server failures per strategy');
  assert.match(dom, /class="rec"/);
});

test('headless Chromium draws a large fabric per leaf', { skip }, () => {
  const text = generateFixture({ ...GENERATE_DEFAULTS, spines: 2, leaves: 80, serversPerLeaf: 64, prefixes: 1 });
  const fabric = parseFixture(text, 'large.yaml');
  assert.ok(fabric.servers.length > MAX_DRAWN_SERVERS);
  const report = runPlan(fabric, { fixture: 'large.yaml', k: 1, strategies: ['ballast'], budget: 1e6, beamWidth: 8, keepWorst: 3, recommend: false });
  const dom = dumpDom(renderPlanHtml(report, fabric));
  assert.match(dom, /data-rendered="true"/);
  assert.equal(count(dom, /class="server"/g), 0);
  assert.equal(count(dom, /class="leaf-util"/g), 80);
});
