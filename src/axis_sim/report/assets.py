"""The dashboard's stylesheet and its inline scripts (plain JavaScript, no framework, no network).

`CONTROLS_JS` reads the page's data from `<script type="application/json" id="dashboard-data">`
and wires the controls panel:

- portfolio checkboxes (`input[data-portfolio]`): hide/show every trace whose `meta.portfolio`
  is that portfolio (`Plotly.restyle`), every annotation named after it (`Plotly.relayout`),
  the rows of heatmaps whose `meta.rows` name it, and every element with that `data-portfolio`
  (table rows, figure blocks); charts with one row per portfolio shrink to the rows shown;
- outcome checkboxes (`input[type=checkbox][data-outcome]`): hide/show every block with that
  `data-outcome` and the heatmap columns whose `meta.cols` name it;
- weight inputs (`input.weight[data-outcome]`): re-rank the portfolios in `#reweighted-table`
  and the short list `#weights-top`: a portfolio's mean value over status quo is Σ w·effect / Σ w
  (the effects are per outcome, changes in partial value on its swing, better positive) and
  its 90% interval is ± t·sqrt(w'Cw / n) / Σ w, C being the covariance of the per-world
  effects;
- the trade-off selects (`#tradeoff-x`, `#tradeoff-y`) move the scatter's points;
- the story selects (`#story-world`, `#story-portfolio`) show one pre-rendered timeline.

Nothing is written with innerHTML from data: names reach the page through textContent.
"""

from __future__ import annotations

# Shared by every page axis_sim writes (the dashboard, the run comparison): type, headings,
# figures, tables, the footer and printing.
BASE_CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --rule: #d9dde5; --bg-alt: #f5f7fa;
        --better: #2166ac; --worse: #b2182b; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 .4rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-top: .6rem;
     border-top: 2px solid var(--rule); }
h3 { font-size: 1.08rem; margin: 1.6rem 0 .4rem; }
h4 { font-size: .98rem; margin: 1rem 0 .3rem; }
.muted { color: var(--muted); font-size: .9em; }
nav { font-size: .92rem; margin: .8rem 0; line-height: 1.9; }
nav a { margin-right: 1rem; white-space: nowrap; }
figure { margin: .6rem 0 1rem; break-inside: avoid; page-break-inside: avoid; min-width: 0; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.2rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: .35rem .55rem; text-align: left;
         vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; }
table.num td:not(:first-child) { font-variant-numeric: tabular-nums; white-space: nowrap; }
td code, th code, h3 code { font-size: .88em; overflow-wrap: anywhere; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav, .no-print, .modebar-container { display: none !important; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  table, tr, figure { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

CSS = BASE_CSS + """
.layout { display: grid; grid-template-columns: 16.5rem minmax(0, 1fr); max-width: 1600px;
          margin: 0 auto; }
main { min-width: 0; max-width: 1280px; padding: 1.5rem 2rem 3rem; }
p.lede { font-size: 1.05rem; max-width: 60rem; white-space: pre-wrap; }
p.intro { max-width: 62rem; }
.small { font-size: .85em; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
          gap: .3rem 1.5rem; margin: .8rem 0; padding: .8rem 1rem; background: var(--bg-alt);
          border-radius: 6px; }
dl.meta div { display: flex; gap: .5rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.glance { margin: .8rem 0; padding: .7rem 1rem; border-left: 4px solid var(--better);
          background: #f3f7fc; border-radius: 4px; }
.glance ol { margin: .3rem 0 0; padding-left: 1.4rem; }
.pair, .grid2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
                gap: 1.2rem; }
tbody tr:nth-child(even) { background: #fafbfc; }
table.ranking td:nth-child(2), table.reweighted td:nth-child(2) { white-space: normal;
  min-width: 14rem; }
.table-scroll { overflow-x: auto; }
table.interactions td:first-child { white-space: nowrap; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px;
          margin-right: .4em; vertical-align: -.05em; flex: none; }
.badge { display: inline-block; padding: 0 .4em; border-radius: 3px; font-size: .8em;
         font-weight: 600; }
.badge.syn { background: #d1e5f0; color: #053061; }
.badge.int { background: #fddbc7; color: #67001f; }
.badge.add { background: #eef0f3; color: var(--muted); }
.select-row { display: flex; flex-wrap: wrap; gap: 1rem 2rem; margin: .6rem 0; }
label.select select { font: inherit; max-width: 26rem; }
.failure-group ul { margin: .2rem 0 .8rem; padding-left: 1.3rem; }
.failure-group li { margin: .3rem 0; max-width: 62rem; }
.up { color: var(--better); font-weight: 600; }
.down { color: var(--worse); font-weight: 600; }
.hide-p, .hide-o, .story-hidden { display: none !important; }
#controls { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto;
            padding: 1rem .9rem 2rem; border-right: 1px solid var(--rule); background: #fbfcfd;
            font-size: .85rem; }
#controls h2 { border: 0; margin: 0 0 .2rem; padding: 0; font-size: 1.05rem; }
#controls details { margin: .7rem 0; }
#controls summary { font-weight: 600; cursor: pointer; }
#controls ul.checks { list-style: none; margin: .3rem 0; padding: 0; }
#controls ul.checks li { margin: .08rem 0; }
#controls label { display: flex; align-items: center; gap: .3rem; cursor: pointer; }
#controls .pname { overflow-wrap: anywhere; }
#controls .buttons { margin: .35rem 0; }
#controls button { font: inherit; font-size: .8rem; padding: .1rem .45rem;
                   margin: 0 .2rem .25rem 0; cursor: pointer; }
#controls table.weights { font-size: .85rem; margin: .3rem 0; }
#controls table.weights td { padding: .15rem .2rem; border: 0; vertical-align: middle; }
#controls table.weights tr { background: none; }
#controls table.weights input { width: 4.2rem; font: inherit; }
#controls .key { line-height: 1.35; }
#controls ol.weights-top { padding-left: 1.3rem; margin: .3rem 0; }
.weights-state.changed { color: var(--worse); font-weight: 600; }
@media (max-width: 1100px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  #controls { position: static; max-height: none; border-right: 0;
              border-bottom: 1px solid var(--rule); }
  #controls ul.checks { columns: 3 12rem; }
}
@media (max-width: 900px) { .pair, .grid2 { grid-template-columns: 1fr; } main { padding: 1rem; } }
@media print {
  .layout { display: block; max-width: none; }
  #controls { display: none !important; }
  .pair, .grid2 { grid-template-columns: 1fr; }
  tbody tr:nth-child(even) { background: none; }
}
"""

# Re-lay the figures out when the page is printed (the paper is narrower than the window).
PRINT_RESIZE_JS = """
(function () {
  function resizeAll() {
    document.querySelectorAll('.plotly-graph-div').forEach(function (el) {
      if (window.Plotly && el.offsetParent !== null) { window.Plotly.Plots.resize(el); }
    });
  }
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
})();
"""

CONTROLS_JS = r"""
(function () {
  'use strict';
  var source = document.getElementById('dashboard-data');
  if (!source) { return; }
  var DATA = JSON.parse(source.textContent);
  var hiddenP = {};
  var hiddenO = {};
  var originals = {};
  var known = {};
  DATA.portfolios.forEach(function (p) { known[p] = true; });

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function ready(gd) { return !!(window.Plotly && gd && gd.data && gd._fullLayout); }
  function shownP(p) { return !hiddenP[p]; }
  function shownO(o) { return !hiddenO[o]; }
  function resizeIn(root) {
    all('.plotly-graph-div', root).forEach(function (gd) {
      if (ready(gd) && gd.offsetParent !== null) { window.Plotly.Plots.resize(gd); }
    });
  }

  // --- figures -----------------------------------------------------------------------------
  function filterHeatmap(gd, i) {
    var trace = gd.data[i];
    var key = gd.id + ':' + i;
    if (!originals[key]) {
      originals[key] = {z: trace.z, x: trace.x, y: trace.y, text: trace.text,
                        customdata: trace.customdata};
    }
    var o = originals[key];
    var rows = [];
    var cols = [];
    trace.meta.rows.forEach(function (p, r) { if (shownP(p)) { rows.push(r); } });
    (trace.meta.cols || []).forEach(function (c, k) { if (shownO(c)) { cols.push(k); } });
    function pick(m) {
      return rows.map(function (r) { return cols.map(function (k) { return m[r][k]; }); });
    }
    var update = {z: [pick(o.z)], y: [rows.map(function (r) { return o.y[r]; })],
                  x: [cols.map(function (k) { return o.x[k]; })]};
    if (o.text) { update.text = [pick(o.text)]; }
    if (o.customdata) { update.customdata = [pick(o.customdata)]; }
    window.Plotly.restyle(gd, update, [i]);
    return rows.length;
  }

  function updatePlot(gd) {
    if (!ready(gd)) { return; }
    var indices = [];
    var visible = [];
    var rowsShown = {};
    var heatRows = null;
    gd.data.forEach(function (trace, i) {
      var meta = trace.meta;
      if (!meta) { return; }
      if (typeof meta.portfolio === 'string') {
        var show = shownP(meta.portfolio);
        if (show) { rowsShown[meta.portfolio] = true; }
        var now = trace.visible === undefined ? true : trace.visible;
        if (now !== show) { indices.push(i); visible.push(show); }
      } else if (meta.rows) {
        heatRows = filterHeatmap(gd, i);
      }
    });
    if (indices.length) { window.Plotly.restyle(gd, {visible: visible}, indices); }
    var relayout = {};
    (gd.layout.annotations || []).forEach(function (a, k) {
      if (a.name && known[a.name]) {
        var show = shownP(a.name);
        if ((a.visible !== false) !== show) { relayout['annotations[' + k + '].visible'] = show; }
      }
    });
    var lm = gd.layout.meta;
    if (lm && lm.rowPitch) {
      var n = heatRows !== null ? heatRows : Object.keys(rowsShown).length;
      var height = Math.max(lm.minHeight || 0, lm.rowBase + lm.rowPitch * Math.max(n, 1));
      if (gd.layout.height !== height) {
        relayout.height = height;
        gd.style.height = height + 'px';
      }
    }
    if (Object.keys(relayout).length) { window.Plotly.relayout(gd, relayout); }
  }

  // Hide or show elements by a class; returns the elements that came back into view (their
  // plots were laid out while hidden and need a resize).
  function toggleAll(selector, cls, attr, shown) {
    var revealed = [];
    all(selector).forEach(function (el) {
      if (el.tagName === 'INPUT' || el.tagName === 'OPTION') { return; }
      var hide = !shown(el.getAttribute(attr));
      if (el.classList.contains(cls) && !hide) { revealed.push(el); }
      el.classList.toggle(cls, hide);
    });
    return revealed;
  }

  function applyPortfolios() {
    var revealed = toggleAll('[data-portfolio]', 'hide-p', 'data-portfolio', shownP);
    all('.plotly-graph-div').forEach(updatePlot);
    var count = DATA.portfolios.filter(shownP).length;
    var counter = document.getElementById('portfolio-count');
    if (counter) { counter.textContent = String(count); }
    if (M) { rerank(); }
    revealed.forEach(function (el) { resizeIn(el); });
  }

  function applyOutcomes() {
    var revealed = toggleAll('[data-outcome]', 'hide-o', 'data-outcome', shownO);
    all('.plotly-graph-div').forEach(function (gd) {
      if (!ready(gd)) { return; }
      gd.data.forEach(function (trace, i) {
        if (trace.meta && trace.meta.rows) { filterHeatmap(gd, i); }
      });
    });
    revealed.forEach(function (el) { resizeIn(el); });
  }

  // --- portfolio and outcome checkboxes -------------------------------------------------------
  var portfolioBoxes = all('#controls input[type=checkbox][data-portfolio]');
  var outcomeBoxes = all('#controls input[type=checkbox][data-outcome]');
  portfolioBoxes.forEach(function (box) {
    box.addEventListener('change', function () {
      hiddenP[box.getAttribute('data-portfolio')] = !box.checked;
      applyPortfolios();
    });
  });
  outcomeBoxes.forEach(function (box) {
    box.addEventListener('change', function () {
      hiddenO[box.getAttribute('data-outcome')] = !box.checked;
      applyOutcomes();
    });
  });
  all('#controls button[data-select]').forEach(function (button) {
    button.addEventListener('click', function () {
      var mode = button.getAttribute('data-select');
      var chosen = {};
      if (mode === 'singles') { DATA.singles.forEach(function (p) { chosen[p] = true; }); }
      if (mode === 'top') {
        DATA.ranked.slice(0, DATA.top).forEach(function (p) { chosen[p] = true; });
      }
      portfolioBoxes.forEach(function (box) {
        var p = box.getAttribute('data-portfolio');
        var on = mode === 'all' ? true : mode === 'none' ? false
          : (chosen[p] === true || p === DATA.statusQuo);
        box.checked = on;
        hiddenP[p] = !on;
      });
      applyPortfolios();
    });
  });

  // --- composite weights ----------------------------------------------------------------------
  function format(x) {
    if (x === null || !isFinite(x)) { return '\u2014'; }
    var m = Math.abs(x);
    if (m === 0) { return '0'; }
    if (m >= 1000) { return x.toLocaleString('en-US', {maximumFractionDigits: 0}); }
    if (m >= 10) { return x.toFixed(1); }
    if (m >= 1) { return x.toFixed(2); }
    // Three significant digits in plain decimals: never "1.2e-5" (String() would write that).
    var places = Math.min(20, 2 - Math.floor(Math.log10(m)));
    return x.toFixed(places).replace(/0+$/, '').replace(/\.$/, '');
  }
  var M = DATA.weights;
  var weightInputs = all('#controls input.weight[data-outcome]');
  function currentWeights() {
    var byOutcome = {};
    weightInputs.forEach(function (input) {
      byOutcome[input.getAttribute('data-outcome')] = parseFloat(input.value);
    });
    return M.outcomes.map(function (o, k) {
      var w = o in byOutcome ? byOutcome[o] : M.defaults[k];
      return (isFinite(w) && w > 0 && M.swings[k] > 0) ? w : 0;
    });
  }
  function rescore(w) {
    // The value model's weights are normalised to sum 1, so scores are divided by the total.
    var total = w.reduce(function (a, b) { return a + b; }, 0);
    return M.portfolios.map(function (p, i) {
      var mean = 0;
      var variance = 0;
      var finite = M.t !== null;
      for (var a = 0; a < w.length; a++) {
        if (!w[a]) { continue; }
        mean += w[a] * M.effects[i][a];
        for (var b = 0; b < w.length; b++) {
          if (!w[b]) { continue; }
          var c = M.cov[i][a][b];
          if (c === null) { finite = false; } else { variance += w[a] * w[b] * c; }
        }
      }
      var half = finite ? M.t * Math.sqrt(Math.max(variance, 0) / M.n) : NaN;
      if (total > 0) { mean /= total; half /= total; } else { mean = 0; half = 0; }
      return {p: p, mean: mean, low: mean - half, high: mean + half,
              base: p in DATA.defaultRank ? DATA.defaultRank[p] : 1e9};
    });
  }
  function cell(row, text, cls) {
    var td = document.createElement('td');
    if (text !== null) { td.textContent = text; }
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }
  function nameCell(row, p) {
    var td = cell(row, null);
    var sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = DATA.colours[p] || '#000';
    var code = document.createElement('code');
    code.textContent = p;
    var label = document.createElement('span');
    label.className = 'muted';
    label.textContent = DATA.labels[p] || '';
    td.appendChild(sw);
    td.appendChild(code);
    td.appendChild(document.createElement('br'));
    td.appendChild(label);
  }
  function rerank() {
    if (!M) { return; }
    var w = currentWeights();
    var rows = rescore(w);
    rows.sort(function (a, b) {
      var d = b.mean - a.mean;
      if (Math.abs(d) > 1e-12 * (1 + Math.abs(a.mean) + Math.abs(b.mean))) { return d; }
      return a.base - b.base;
    });
    var changed = M.outcomes.some(function (o, k) {
      var d = M.swings[k] > 0 ? M.defaults[k] : 0;
      return Math.abs(w[k] - d) > 1e-12;
    });
    var table = document.getElementById('reweighted-table');
    if (table) {
      var body = table.tBodies[0];
      while (body.firstChild) { body.removeChild(body.firstChild); }
      rows.forEach(function (r, i) {
        var tr = document.createElement('tr');
        tr.setAttribute('data-portfolio', r.p);
        if (!shownP(r.p)) { tr.className = 'hide-p'; }
        cell(tr, String(i + 1));
        nameCell(tr, r.p);
        cell(tr, format(r.mean) + ' [' + format(r.low) + ', ' + format(r.high) + ']');
        var move = r.base < 1e9 ? r.base - (i + 1) : 0;
        if (!changed || move === 0) { cell(tr, '\u2013', 'muted'); }
        else if (move > 0) { cell(tr, '\u25b2 ' + move, 'up'); }
        else { cell(tr, '\u25bc ' + (-move), 'down'); }
        body.appendChild(tr);
      });
    }
    var top = document.getElementById('weights-top');
    if (top) {
      while (top.firstChild) { top.removeChild(top.firstChild); }
      rows.filter(function (r) { return shownP(r.p); }).slice(0, 5).forEach(function (r) {
        var li = document.createElement('li');
        li.textContent = (DATA.short[r.p] || r.p) + ' \u2014 ' + format(r.mean);
        li.title = r.p;
        top.appendChild(li);
      });
    }
    var state = document.getElementById('weights-state');
    if (state) {
      state.textContent = changed ? 'Your weights: ranking below and in the Ranking section.'
        : 'Scenario weights. Best-ranked:';
      state.classList.toggle('changed', changed);
    }
  }
  if (M) {
    weightInputs.forEach(function (input) { input.addEventListener('input', rerank); });
    var reset = document.getElementById('weights-reset');
    if (reset) {
      reset.addEventListener('click', function () {
        weightInputs.forEach(function (input) {
          input.value = input.getAttribute('data-default');
        });
        rerank();
      });
    }
    rerank();
  }

  // --- trade-off axes -------------------------------------------------------------------------
  var selX = document.getElementById('tradeoff-x');
  var selY = document.getElementById('tradeoff-y');
  function updateTradeoff() {
    var gd = document.getElementById('fig-tradeoff');
    var T = DATA.tradeoff;
    if (!ready(gd) || !T || !selX || !selY) { return; }
    var xo = selX.value;
    var yo = selY.value;
    var idx = [];
    var u = {x: [], y: [], 'error_x.array': [], 'error_x.arrayminus': [], 'error_y.array': [],
             'error_y.arrayminus': [], customdata: []};
    function end(v, m) { return v === null ? m : v; }
    gd.data.forEach(function (trace, i) {
      var p = trace.meta && trace.meta.portfolio;
      if (!p || p === DATA.statusQuo) { return; }
      var a = (T.points[xo] || {})[p];
      var b = (T.points[yo] || {})[p];
      if (!a || !b || a[0] === null || b[0] === null) { return; }
      idx.push(i);
      u.x.push([a[0]]);
      u.y.push([b[0]]);
      u['error_x.array'].push([end(a[2], a[0]) - a[0]]);
      u['error_x.arrayminus'].push([a[0] - end(a[1], a[0])]);
      u['error_y.array'].push([end(b[2], b[0]) - b[0]]);
      u['error_y.arrayminus'].push([b[0] - end(b[1], b[0])]);
      u.customdata.push([[a[1], a[2], b[1], b[2]]]);
    });
    if (idx.length) { window.Plotly.restyle(gd, u, idx); }
    var corner = T.corners[T.better[xo] + '-' + T.better[yo]];
    var layout = {'xaxis.title.text': T.titles[xo].x, 'yaxis.title.text': T.titles[yo].y,
                  'xaxis.autorange': true, 'yaxis.autorange': true};
    Object.keys(corner).forEach(function (k) { layout['annotations[0].' + k] = corner[k]; });
    window.Plotly.relayout(gd, layout);
  }
  if (selX && selY) {
    selX.addEventListener('change', updateTradeoff);
    selY.addEventListener('change', updateTradeoff);
  }

  // --- a world's story ------------------------------------------------------------------------
  var storyWorld = document.getElementById('story-world');
  var storyPortfolio = document.getElementById('story-portfolio');
  function updateStory() {
    var key = storyWorld.value + '|' + (storyPortfolio ? storyPortfolio.value : DATA.statusQuo);
    all('.story-view').forEach(function (el) {
      var on = el.getAttribute('data-story') === key;
      el.classList.toggle('story-hidden', !on);
      if (on) { resizeIn(el); }
    });
  }
  if (storyWorld) {
    storyWorld.addEventListener('change', updateStory);
    if (storyPortfolio) { storyPortfolio.addEventListener('change', updateStory); }
  }
})();
"""
