/**
 * The plan as one self-contained HTML file: inline CSS, SVG and a small script, no external URL.
 * The fabric is drawn with per-server utilization colours (switchable between strategies, with and
 * without the worst scenario), strategies are compared in bar charts, and the worst scenarios,
 * quantization and recommendations are listed. The data travels as one JSON block; the script draws.
 */
import type { Fabric } from '../fabric/types.js';
import { SweepEngine } from './engine.js';
import type { PlanReport } from './plan.js';

/** Above this many servers the fabric is drawn per leaf (the busiest server's colour), not per server. */
export const MAX_DRAWN_SERVERS = 4096;

export interface FabricView {
  readonly id: string;
  readonly label: string;
  readonly strategy: string;
  readonly failed: string[];
  /** Per fabric server: the highest utilization over its prefixes at the configured load; -1 when not live. */
  readonly utilization: number[];
}

export function renderPlanHtml(report: PlanReport, fabric: Fabric): string {
  const views = fabricViews(report, fabric);
  const data = {
    report,
    fabric: {
      spines: fabric.spines.map((s) => s.name),
      leaves: fabric.leaves.map((l) => ({ name: l.name, spines: l.spines.length })),
      servers: fabric.servers.map((s) => ({ name: s.name, leaf: s.leaf, capacity: s.capacity })),
      perServer: fabric.servers.length <= MAX_DRAWN_SERVERS,
    },
    views,
  };
  // `<` escaped so no string in the data can close the script element.
  const json = JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c');
  const title = `ballast plan: ${report.fabric}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p id="summary"></p>
</header>
<main>
<section id="coverage"><h2>Coverage</h2><ul id="coverage-list"></ul></section>
<section id="strategies"><h2>Strategies compared</h2>
<p class="note">Safe load: the largest offered load that no covered scenario overloads, as a multiple of the configured load (the line at 1.0x).</p>
<div id="chart-safe"></div>
<p class="note">The worst scenario per kind of failure, same scale.</p>
<div id="chart-kinds"></div>
<div id="prefix-table"></div>
</section>
<section id="fabric"><h2>Fabric</h2>
<div id="view-buttons" role="group" aria-label="view"></div>
<p id="view-label" class="note"></p>
<div id="fabric-drawing"></div>
<p class="legend"><span class="sw" style="background:#2e7d32"></span>&lt; 50 % <span class="sw" style="background:#9ccc65"></span>&lt; 80 % <span class="sw" style="background:#fbc02d"></span>&lt; 100 % <span class="sw" style="background:#d32f2f"></span>overloaded <span class="sw" style="background:#9e9e9e"></span>failed or unreachable</p>
</section>
<section id="worst"><h2>Worst scenarios</h2><div id="worst-tables"></div></section>
<section id="quantization"><h2>Quantization</h2><div id="quantization-table"></div></section>
<section id="recommendations"><h2>Recommendations</h2><ul id="recommendation-list"></ul></section>
</main>
<script type="application/json" id="plan-data">${json}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** For each strategy: the fabric with no failure and in its worst scenario. */
function fabricViews(report: PlanReport, fabric: Fabric): FabricView[] {
  const strategies = report.strategies.map((s) => s.name);
  const longest = Math.max(1, ...report.strategies.flatMap((s) => [s.worst[0]?.failed.length ?? 0, ...s.worstByKind.map((w) => w.failed.length)]));
  const engine = new SweepEngine(fabric, strategies, longest);
  const byName = new Map<string, number>();
  for (let e = 0; e < engine.state.elementCount; e++) byName.set(engine.elementName(e), e);
  const views: FabricView[] = [];
  report.strategies.forEach((s, si) => {
    const scenarios: { id: string; label: string; failed: string[] }[] = [{ id: `${s.name}-base`, label: `${s.name}, no failure`, failed: [] }];
    const worst = s.worst[0];
    if (worst && worst.failed.length) scenarios.push({ id: `${s.name}-worst`, label: `${s.name}, worst scenario: ${worst.failed.join(', ')} fail`, failed: worst.failed });
    // Server failures are where strategies differ most; show the worst of those too when it is another scenario.
    const servers = s.worstByKind.find((w) => w.kinds === 'server');
    if (servers && servers.failed.join() !== worst?.failed.join()) scenarios.push({ id: `${s.name}-worst-servers`, label: `${s.name}, worst server failures: ${servers.failed.join(', ')}`, failed: servers.failed });
    for (const sc of scenarios) {
      const elements = sc.failed.map((n) => byName.get(n)).filter((e): e is number => e !== undefined);
      engine.state.apply(elements, elements.length);
      const utilization = new Array<number>(fabric.servers.length).fill(-1);
      for (let p = 0; p < engine.nPrefixes; p++) {
        const pi = engine.index.prefixes[p]!;
        const leafShare = new Float64Array(fabric.leaves.length);
        const share = new Float64Array(pi.servers.length);
        const live = new Uint8Array(pi.servers.length);
        engine.materialize(si, p, leafShare, share, live);
        const offered = engine.offeredLoad[p]!;
        for (let k = 0; k < pi.servers.length; k++) {
          if (!live[k]) continue;
          const srv = pi.servers[k]!;
          const u = Math.round(((share[k]! * offered) / engine.index.serverCapacity[srv]!) * 1000) / 1000;
          if (u > utilization[srv]!) utilization[srv] = u;
        }
      }
      engine.state.clear();
      views.push({ id: sc.id, label: sc.label, strategy: s.name, failed: sc.failed, utilization });
    }
  });
  return views;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#212121;background:#fafafa}
header{background:#263238;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0}
main{padding:8px 24px 32px}section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;margin:16px 0;padding:8px 16px}
h2{font-size:16px;margin:8px 0}.note{color:#616161;margin:4px 0}
table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #eee;padding:3px 10px;text-align:left;font-variant-numeric:tabular-nums}
th{background:#f5f5f5}.bad{color:#c62828;font-weight:600}.good{color:#2e7d32}
#view-buttons button{margin:2px 4px 2px 0;padding:3px 8px;border:1px solid #90a4ae;background:#fff;border-radius:4px;cursor:pointer}
#view-buttons button[aria-pressed=true]{background:#263238;color:#fff}
.legend .sw{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle;border-radius:2px}
svg text{font:11px system-ui,sans-serif}
`;

// Plain browser JavaScript (not compiled): reads the JSON block and builds the DOM.
const SCRIPT = String.raw`
(function () {
  'use strict';
  var NS = 'http' + '://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('plan-data').textContent);
  var r = data.report;
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function fmt(x, d) { return x === null || x === undefined ? '-' : (Math.round(x * Math.pow(10, d)) / Math.pow(10, d)).toString(); }
  function pct(x) { return x === null ? '-' : (x * 100).toFixed(1) + '%'; }
  function colour(u) {
    if (u < 0) return '#9e9e9e';
    if (u > 1 + 1e-9) return '#d32f2f';
    if (u >= 0.8) return '#fbc02d';
    if (u >= 0.5) return '#9ccc65';
    return '#2e7d32';
  }
  function table(headers, rows, id) {
    var t = el('table', id ? { id: id } : {});
    var tr = el('tr');
    headers.forEach(function (h) { tr.appendChild(el('th', {}, h)); });
    t.appendChild(tr);
    rows.forEach(function (row) {
      var tr = el('tr');
      row.forEach(function (c) {
        var td = el('td', {}, typeof c === 'object' && c !== null ? c.text : c);
        if (typeof c === 'object' && c !== null && c.cls) td.className = c.cls;
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    return t;
  }

  var e = r.elements;
  document.getElementById('summary').textContent = r.fixture + ': ' + e.spines + ' spines, ' + e.leaves + ' leaves, ' + e.servers +
    ' servers, ' + e.links + ' links; up to ' + r.k + ' failures; ' + (r.overloaded ? 'OVERLOAD under ' + r.deciding : 'no overload under ' + r.deciding) + ' at the configured load.';
  var cl = document.getElementById('coverage-list');
  cl.appendChild(el('li', { class: r.coverage.complete ? 'good' : 'bad' }, r.coverage.complete ? 'Exhaustive: ' + r.coverage.evaluated + ' scenarios.' : 'Partial: ' + r.coverage.evaluated + ' of ' + r.coverage.total + ' scenarios' + (r.coverage.interrupted ? ' (interrupted)' : '') + '.'));
  r.coverage.covered.forEach(function (c) { cl.appendChild(el('li', {}, 'covered: ' + c)); });
  r.coverage.notCovered.forEach(function (c) { cl.appendChild(el('li', { class: 'bad' }, 'not covered: ' + c)); });
  if (r.outages.count) cl.appendChild(el('li', {}, r.outages.count + ' scenario(s) leave a prefix without any live server (outages, not counted in safe loads).'));

  // Bar chart: one group per category, one bar per strategy.
  var palette = ['#78909c', '#42a5f5', '#ef6c00', '#8e24aa'];
  function barChart(id, categories, series) {
    var W = 640, H = 220, left = 48, bottom = 40, top = 10;
    var max = 1.2;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > max) max = v; }); });
    // Round gridlines: four steps of 0.1, 0.2, 0.25, 0.5, 1, ... that cover the largest bar.
    var steps = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100];
    var step = steps.filter(function (st) { return st * 4 >= max; })[0] || Math.ceil(max / 4);
    max = step * 4;
    var s = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', id: id + '-svg' });
    var plotH = H - bottom - top, plotW = W - left - 10;
    function y(v) { return top + plotH - (v / max) * plotH; }
    for (var t = 0; t <= 4; t++) {
      var v = (max * t) / 4;
      s.appendChild(svg('line', { x1: left, x2: W - 10, y1: y(v), y2: y(v), stroke: '#eee' }));
      var lab = svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }); lab.textContent = fmt(v, 2) + 'x'; s.appendChild(lab);
    }
    var groupW = plotW / Math.max(1, categories.length), barW = Math.min(40, (groupW - 12) / Math.max(1, series.length));
    categories.forEach(function (cat, ci) {
      series.forEach(function (se, si) {
        var v = se.values[ci];
        if (v === null || v === undefined) return;
        var x = left + ci * groupW + 6 + si * barW;
        var rect = svg('rect', { x: x, y: y(v), width: barW - 2, height: Math.max(0, top + plotH - y(v)), fill: palette[si % palette.length], class: 'bar', 'data-strategy': se.name, 'data-category': cat, 'data-value': fmt(v, 4) });
        var tip = svg('title'); tip.textContent = se.name + ', ' + cat + ': ' + fmt(v, 3) + 'x'; rect.appendChild(tip);
        s.appendChild(rect);
      });
      var lab = svg('text', { x: left + ci * groupW + groupW / 2, y: H - bottom + 16, 'text-anchor': 'middle' }); lab.textContent = cat; s.appendChild(lab);
    });
    s.appendChild(svg('line', { x1: left, x2: W - 10, y1: y(1), y2: y(1), stroke: '#d32f2f', 'stroke-dasharray': '4 3', class: 'configured' }));
    series.forEach(function (se, si) {
      s.appendChild(svg('rect', { x: left + si * 130, y: H - 14, width: 10, height: 10, fill: palette[si % palette.length] }));
      var lab = svg('text', { x: left + si * 130 + 14, y: H - 5 }); lab.textContent = se.name; s.appendChild(lab);
    });
    document.getElementById(id).appendChild(s);
  }
  barChart('chart-safe', ['all covered scenarios'], r.strategies.map(function (s) { return { name: s.name, values: [s.safeLoadFactor] }; }));
  var kinds = [];
  r.strategies.forEach(function (s) { s.worstByKind.forEach(function (w) { if (w.kinds !== 'none' && kinds.indexOf(w.kinds) < 0) kinds.push(w.kinds); }); });
  barChart('chart-kinds', kinds, r.strategies.map(function (s) {
    return { name: s.name, values: kinds.map(function (k) { var w = s.worstByKind.filter(function (x) { return x.kinds === k; })[0]; return w ? w.safeLoadFactor : null; }) };
  }));
  var prows = [];
  r.strategies.forEach(function (s) {
    s.prefixes.forEach(function (p) {
      prows.push([s.name, p.prefix, fmt(p.offeredLoad, 2), fmt(p.safeLoad, 2), { text: pct(p.headroom), cls: p.overloadedScenarios ? 'bad' : 'good' }, p.worstScenario.join(', ') || '(none)', p.saturatingServer || '-', String(p.overloadedScenarios)]);
    });
  });
  document.getElementById('prefix-table').appendChild(table(['strategy', 'prefix', 'offered (' + r.unit + ')', 'safe load', 'headroom', 'worst scenario', 'saturates first', 'overloaded scenarios'], prows, 'prefix-rows'));

  // The fabric: spines, leaves, and under each leaf its servers (or one cell per leaf when large).
  var f = data.fabric;
  var serversByLeaf = {};
  f.servers.forEach(function (s, i) { (serversByLeaf[s.leaf] = serversByLeaf[s.leaf] || []).push(i); });
  var drawing = document.getElementById('fabric-drawing');
  var perRow = 8, cell = 9, leafW = perRow * cell + 12;
  var leavesPerLine = Math.max(1, Math.floor(1200 / leafW));
  var maxServers = 0;
  f.leaves.forEach(function (l) { maxServers = Math.max(maxServers, (serversByLeaf[l.name] || []).length); });
  var leafH = f.perServer ? 28 + Math.ceil(maxServers / perRow) * cell : 30;
  var lines = Math.ceil(f.leaves.length / leavesPerLine);
  var width = Math.min(f.leaves.length, leavesPerLine) * leafW + 20;
  var spineY = 20, leafTop = 80;
  var fs = svg('svg', { width: width, height: leafTop + lines * (leafH + 10) + 10, id: 'fabric-svg' });
  var spineW = Math.min(80, (width - 20) / Math.max(1, f.spines.length));
  f.spines.forEach(function (name, i) {
    var g = svg('g', { class: 'spine', 'data-name': name });
    g.appendChild(svg('rect', { x: 10 + i * spineW, y: spineY, width: spineW - 4, height: 22, rx: 3, fill: '#546e7a' }));
    if (spineW > 40) { var t = svg('text', { x: 10 + i * spineW + 4, y: spineY + 15, fill: '#fff' }); t.textContent = name; g.appendChild(t); }
    var tip = svg('title'); tip.textContent = name; g.appendChild(tip);
    fs.appendChild(g);
  });
  var serverRects = [];
  var leafRects = {};
  f.leaves.forEach(function (l, li) {
    var x = 10 + (li % leavesPerLine) * leafW, y = leafTop + Math.floor(li / leavesPerLine) * (leafH + 10);
    var g = svg('g', { class: 'leaf', 'data-name': l.name });
    var box = svg('rect', { x: x, y: y, width: leafW - 8, height: leafH, rx: 3, fill: '#eceff1', stroke: '#b0bec5', class: 'leaf-box' });
    g.appendChild(box);
    var t = svg('text', { x: x + 4, y: y + 13 }); t.textContent = l.name; g.appendChild(t);
    var tip = svg('title'); tip.textContent = l.name; g.appendChild(tip);
    if (f.perServer) {
      (serversByLeaf[l.name] || []).forEach(function (si, j) {
        var rect = svg('rect', { x: x + 4 + (j % perRow) * cell, y: y + 20 + Math.floor(j / perRow) * cell, width: cell - 2, height: cell - 2, class: 'server', 'data-name': f.servers[si].name, fill: '#9e9e9e' });
        var tip = svg('title'); rect.appendChild(tip);
        serverRects[si] = rect;
        g.appendChild(rect);
      });
    } else {
      leafRects[l.name] = svg('rect', { x: x + 4, y: y + 17, width: leafW - 16, height: 8, class: 'leaf-util', fill: '#9e9e9e' });
      g.appendChild(leafRects[l.name]);
    }
    fs.appendChild(g);
  });
  drawing.appendChild(fs);
  if (!f.perServer) drawing.appendChild(el('p', { class: 'note' }, f.servers.length + ' servers: each leaf shows its busiest server.'));

  function show(view) {
    document.getElementById('view-label').textContent = view.label;
    var busiest = {};
    view.utilization.forEach(function (u, i) {
      var s = f.servers[i];
      if (serverRects[i]) {
        serverRects[i].setAttribute('fill', colour(u));
        serverRects[i].setAttribute('data-utilization', String(u));
        serverRects[i].firstChild.textContent = s.name + ' (' + s.leaf + ', capacity ' + s.capacity + '): ' + (u < 0 ? 'down' : pct(u));
      }
      if (!(s.leaf in busiest) || u > busiest[s.leaf]) busiest[s.leaf] = u;
    });
    for (var name in leafRects) leafRects[name].setAttribute('fill', colour(name in busiest ? busiest[name] : -1));
    Array.prototype.forEach.call(document.querySelectorAll('#view-buttons button'), function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-view') === view.id)); });
    document.body.setAttribute('data-view', view.id);
  }
  var buttons = document.getElementById('view-buttons');
  data.views.forEach(function (v) {
    var b = el('button', { type: 'button', 'data-view': v.id }, v.label.length > 60 ? v.label.slice(0, 57) + '...' : v.label);
    b.addEventListener('click', function () { show(v); });
    buttons.appendChild(b);
  });
  var first = data.views.filter(function (v) { return v.id === r.deciding + '-worst'; })[0] || data.views[0];
  if (first) show(first);

  var wt = document.getElementById('worst-tables');
  r.strategies.forEach(function (s) {
    wt.appendChild(el('h3', {}, s.name));
    wt.appendChild(table(['failed', 'prefix', 'safe load (' + r.unit + ')', 'x configured', 'saturates first'], s.worst.map(function (w) {
      return [w.failed.join(', ') || '(no failure)', w.prefix, fmt(w.safeLoad, 2), { text: fmt(w.safeLoadFactor, 3) + 'x', cls: w.safeLoadFactor < 1 ? 'bad' : '' }, w.saturatingServer || '-'];
    }), 'worst-' + s.name));
  });

  var qt = document.getElementById('quantization-table');
  var models = ['frr8', 'frr10-254', 'frr10', 'frr10-16bit'];
  var named = function (m) { return r.quantization.versions[m] || m; };
  r.quantization.prefixes.forEach(function (p) {
    qt.appendChild(el('p', {}, p.prefix + ': worst error ' + models.map(function (m) { return named(m) + ' ' + (p.worstError[m].error * 100).toFixed(2) + '%'; }).join('; ') + ' (spines configured: ' + r.quantization.configured.map(named).join(', ') + ')'));
    qt.appendChild(el('p', { class: 'note' }, 'Worst max/ideal server share over ' + r.quantization.swept.scenarios + ' scenarios of up to ' + r.quantization.swept.k + ' failures: ' + models.map(function (m) { return named(m) + ' ' + fmt(p.scenarios[m].maxOverIdeal, 3) + ' (' + (p.scenarios[m].failed.join(', ') || 'no failure') + ')'; }).join('; ')));
    var rows = p.leaves.slice().sort(function (a, b) { return Math.abs(b.share.frr8 / b.ideal - 1) - Math.abs(a.share.frr8 / a.ideal - 1); }).slice(0, 16);
    qt.appendChild(table(['leaf', 'ideal'].concat(models.map(named)), rows.map(function (l) { return [l.leaf, pct(l.ideal)].concat(models.map(function (m) { return pct(l.share[m]); })); })));
  });

  var rl = document.getElementById('recommendation-list');
  var rec = r.recommendations;
  if (rec.skipped) rl.appendChild(el('li', {}, 'Skipped: ' + rec.skipped));
  if (rec.prepend) rl.appendChild(el('li', { class: 'rec' }, 'Spines ' + rec.prepend.spines.join(', ') + ' ignore link-bandwidth; best prepend below-fraction ' + rec.prepend.best.belowFraction + ': safe load ' + fmt(rec.prepend.current.safeLoadFactor, 3) + 'x -> ' + fmt(rec.prepend.best.safeLoadFactor, 3) + 'x.'));
  if (rec.frr) rl.appendChild(el('li', { class: 'rec' }, 'Spines on ' + rec.frr.current.versions + ' weight this fabric too coarsely: a server gets up to ' + fmt(rec.frr.current.maxOverIdeal, 3) + 'x its ideal share; ' + rec.frr.better.map(function (b) { return fmt(b.maxOverIdeal, 3) + 'x on ' + b.versions; }).join('; ') + '.'));
  if (rec.capacity) rec.capacity.advice.slice(0, 3).forEach(function (a) {
    rl.appendChild(el('li', { class: 'rec' }, 'One more server (capacity ' + a.addedCapacity + ') behind ' + a.leaf + ': safe load ' + fmt(rec.capacity.baseFactor, 3) + 'x -> ' + fmt(a.safeLoadFactor, 3) + 'x.'));
  });
  if (rec.uplinks) {
    if (!rec.uplinks.advice.length) rl.appendChild(el('li', { class: 'rec' }, 'No leaf exceeds its uplink capacity (' + rec.uplinks.checked + ' scenarios checked).'));
    rec.uplinks.advice.forEach(function (a) { rl.appendChild(el('li', { class: 'rec bad' }, 'Uplinks of ' + a.leaf + ' would saturate: ' + fmt(a.maxLoad, 1) + ' into ' + a.uplinkCapacity + ' ' + r.unit + ' (' + pct(a.utilization) + ').')); });
  }
  document.body.setAttribute('data-rendered', 'true');
})();
`;
