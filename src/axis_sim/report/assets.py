"""The dashboard's stylesheet and its inline scripts (plain JavaScript, no framework, no network).

`CONTROLS_JS` reads the page's data from `<script type="application/json" id="dashboard-data">`
and makes the page one application with one state: the swing weights, the portfolio and
outcome checkboxes, the search box, the page's selects, the collapsed sections and the "show
all" of the first screen's ranking. Every change goes through that state and from it to every
element of the page, and into the URL fragment (`#w=outcome:2,…&hide=…&q=…`), so a link, or a
reload, reproduces the view.

- weights (`input.weight[data-outcome]`, text inputs): a weight must be a number of 0 or more;
  anything else (−5, "abc", "0,5", empty) is refused in place with a message beside the input
  and the last accepted weight stays in use — never a silent 0. A portfolio's mean value over
  status quo is Σ w·effect / Σ w (the effects are per outcome, changes in partial value on its
  swing, better positive) and its 90% interval is ± t·sqrt(w'Cw / n) / Σ w, C being the
  covariance of the per-world effects. All weights 0: every ranking says there is nothing to
  rank. Portfolios whose values differ by less than the value MMD at the current weights (the
  least valuable outcome's MMD, as `value.composite_mmd`) are flagged as tied.
- the current ranking re-orders every element with `data-portfolio` among its siblings (table
  rows, lists, figure blocks; not inside `[data-fixed-order]`), fills `[data-field]` cells of
  `#rank-now` (rank, value, tie flag) and of the ranking tables, rebuilds `#reweighted-table`
  and the sidebar's `#weights-top`, re-orders the checkbox list, the categories of every chart
  with one row per portfolio (`layout.meta.rowPitch`) and the rows of every heatmap whose
  `meta.rows` name portfolios;
- portfolio checkboxes (`input[data-portfolio]`) and the search box hide/show every trace whose
  `meta.portfolio` is that portfolio (`Plotly.restyle`), every annotation named after it, the
  heatmap rows and every element with that `data-portfolio`; outcome checkboxes (and a search
  that matches outcomes but no portfolio) hide/show blocks with that `data-outcome` and heatmap
  columns; status quo stays shown in a search, as the reference;
- selects with an id in `main` (the trade-off axes, the story's world and policy) are part of
  the state; sections collapse from their heading.

A chart drawn later (`report/lazy.py` draws them when scrolled to) gets the current order and
filters when its `axis:plotted` event arrives; `window.axisDashboard.refresh(gd)` does the same
for any other late part. Other parts of the page follow the state through
`window.axisDashboard` (`state()`, `ranking()` — the current order —, `shown(portfolio)` and
`shownOutcome(outcome)`, which count the search too) and the `axis:state` event on `document`,
sent after every change (`detail`: the order, whether nothing is ranked, whether the weights
differ from the scenario's).
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
:root { --topbar: 3rem; }
.layout { display: grid; grid-template-columns: 18rem minmax(0, 1fr); max-width: 1680px;
          margin: 0 auto; }
main { min-width: 0; max-width: 1320px; padding: 1rem 2rem 3rem; }
body.controls-hidden .layout { grid-template-columns: minmax(0, 1fr); }
body.controls-hidden #controls { display: none; }
header h1 { font-size: 1.45rem; margin: .2rem 0 .1rem; }
main > section:first-of-type > h2, #decision > h2 { margin-top: .8rem; }
details.about { margin: 0 0 .4rem; }
details.about summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
p.lede { font-size: 1.02rem; max-width: 60rem; white-space: pre-wrap; }
p.intro { max-width: 62rem; }
.small { font-size: .85em; }
section, h3, [id] { scroll-margin-top: calc(var(--topbar) + .5rem); }
.skip-link { position: absolute; left: -9999px; }
.skip-link:focus { left: 1rem; top: .4rem; z-index: 50; background: #fff; padding: .3rem .6rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; }
.topbar { position: sticky; top: 0; z-index: 30; display: flex; align-items: center;
          gap: .3rem .7rem; min-height: var(--topbar); padding: .35rem 1rem; background: #fff;
          border-bottom: 1px solid var(--rule); font-size: .88rem; }
.topbar button, .topbar input, .topbar summary { font: inherit; }
.topbar > button, .weights-badge { padding: .2rem .6rem; cursor: pointer; }
.topbar-title { font-weight: 600; flex: 1 1 8rem; min-width: 0; overflow: hidden;
                text-overflow: ellipsis; white-space: nowrap; }
.topbar input[type=search] { width: 15rem; max-width: 30vw; padding: .22rem .45rem; }
.search-status { max-width: 16rem; overflow: hidden; text-overflow: ellipsis;
                 white-space: nowrap; }
.search-status:empty { display: none; }
.sections-menu { position: relative; }
.sections-menu summary { cursor: pointer; padding: .2rem .4rem; }
.sections-menu .menu { position: absolute; right: 0; top: 1.9rem; z-index: 40; min-width: 15rem;
                       max-height: 75vh; overflow-y: auto; padding: .5rem .9rem; background: #fff;
                       border: 1px solid var(--rule); border-radius: 4px;
                       box-shadow: 0 4px 14px rgba(0,0,0,.12); }
.sections-menu ul { list-style: none; margin: 0 0 .4rem; padding: 0; line-height: 1.9; }
.weights-badge { border: 1px solid var(--rule); border-radius: 3px; background: var(--bg-alt);
                 white-space: nowrap; }
.weights-badge.changed { border-color: var(--better); color: var(--better); font-weight: 600; }
.weights-badge.problem { border-color: var(--worse); color: var(--worse); font-weight: 600; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
          gap: .3rem 1.5rem; margin: .8rem 0; padding: .8rem 1rem; background: var(--bg-alt);
          border-radius: 6px; }
dl.meta div { display: flex; gap: .5rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
footer#run-metadata h2 { font-size: 1.05rem; }
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
.up, .up-text { color: var(--better); }
.up { font-weight: 600; }
.down { color: var(--worse); font-weight: 600; }
.cost { color: var(--worse); }
.hide-p, .hide-o, .story-hidden, .search-hidden { display: none !important; }
.alert { margin: .5rem 0; padding: .5rem .8rem; border-left: 4px solid var(--worse);
         background: #fdf1ee; font-weight: 600; max-width: 62rem; }
.bottom-line { font-size: 1.02rem; max-width: 72rem; margin-bottom: .3rem; }
details.bottom-rest summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
details.bottom-rest p { margin-top: .3rem; }
table.rank-now { margin-top: .3rem; }
table.rank-now td:nth-child(2) { white-space: normal; min-width: 12rem; }
table.rank-now td { padding-top: .3rem; padding-bottom: .3rem; }
table.rank-now td.effects { white-space: normal; min-width: 16rem; font-size: .82rem;
                            line-height: 1.3; }
table.rank-now td:first-child { font-weight: 700; font-size: 1.05rem; }
table.rank-now tr.beyond { display: none; }
table.rank-now.show-all tr.beyond { display: table-row; }
table.unranked td { color: var(--muted); }
.flag:empty { display: none; }
.flag { display: inline-block; margin-top: .15rem; padding: 0 .35em; border-radius: 3px;
        font-size: .78rem; font-weight: 600; background: #fff3cd; color: #6b4e00;
        white-space: normal; }
.flag.verdict-better { background: #d1e5f0; color: #053061; }
.flag.verdict-worse { background: #fddbc7; color: #67001f; }
.rank-note { margin: .3rem 0; }
@media screen {
  main section.collapsed > :not(h2) { display: none !important; }
}
main section > h2 { display: flex; align-items: baseline; gap: .45rem; cursor: pointer; }
main section > h2 .collapse-toggle { border: 0; background: none; padding: 0 .15rem;
  cursor: pointer; font: inherit; color: var(--muted); width: 1.2rem; }
main section > h2 .collapse-toggle::before { content: "▾"; }
main section.collapsed > h2 .collapse-toggle::before { content: "▸"; }
main section.collapsed > h2::after { content: "(collapsed: click to show)"; font-size: .8rem;
  font-weight: 400; color: var(--muted); }
#controls { position: sticky; top: var(--topbar); align-self: start;
            max-height: calc(100vh - var(--topbar)); overflow-y: auto;
            padding: .8rem .9rem 2rem; border-right: 1px solid var(--rule); background: #fbfcfd;
            font-size: .85rem; }
#controls .controls-head { display: flex; justify-content: space-between; align-items: center; }
#controls h2 { border: 0; margin: 0 0 .2rem; padding: 0; font-size: 1.05rem; }
#controls-close { font: inherit; font-size: 1.1rem; line-height: 1; border: 0; background: none;
                  cursor: pointer; padding: .1rem .3rem; }
#controls details { margin: .7rem 0; }
#controls summary { font-weight: 600; cursor: pointer; }
#controls ul.checks { list-style: none; margin: .3rem 0; padding: 0; }
#controls ul.checks li { margin: .08rem 0; }
#controls label { display: flex; align-items: center; gap: .3rem; cursor: pointer; }
#controls .pname { overflow-wrap: anywhere; }
#controls .box-rank { min-width: 1.5rem; text-align: right; color: var(--muted);
                      font-variant-numeric: tabular-nums; }
#controls .buttons { margin: .35rem 0; }
#controls button { font: inherit; font-size: .8rem; padding: .1rem .45rem;
                   margin: 0 .2rem .25rem 0; cursor: pointer; }
#controls table.weights { font-size: .85rem; margin: .3rem 0; }
#controls table.weights td { padding: .15rem .2rem; border: 0; vertical-align: middle; }
#controls table.weights tr { background: none; }
#controls table.weights input { width: 4.2rem; font: inherit; }
#controls table.weights input.invalid { outline: 2px solid var(--worse); background: #fff5f3; }
.weight-error { color: var(--worse); font-weight: 600; font-size: .8rem; margin-top: .1rem; }
#controls .key { line-height: 1.35; }
#controls ol.weights-top { padding-left: 1.3rem; margin: .3rem 0; }
.weights-state.changed { color: var(--better); font-weight: 600; }
.weights-state.problem { color: var(--worse); font-weight: 600; }
@media (max-width: 760px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  #controls { position: static; max-height: none; border-right: 0;
              border-bottom: 1px solid var(--rule); }
  .topbar input[type=search] { width: 9rem; }
}
@media (max-width: 900px) { .pair, .grid2 { grid-template-columns: 1fr; } main { padding: 1rem; } }
@media print {
  .layout { display: block; max-width: none; }
  #controls, .topbar, .skip-link { display: none !important; }
  .pair, .grid2 { grid-template-columns: 1fr; }
  tbody tr:nth-child(even) { background: none; }
  table.rank-now tr.beyond { display: table-row; }
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
  var M = DATA.weights;
  var SQ = DATA.statusQuo;
  var known = {};
  DATA.portfolios.forEach(function (p) { known[p] = true; });
  var outcomeIds = Object.keys(DATA.outcomes || {});
  var originals = {};

  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function byId(id) { return document.getElementById(id); }
  function ready(gd) { return !!(window.Plotly && gd && gd.data && gd._fullLayout); }
  function resizeIn(root) {
    all('.plotly-graph-div', root).forEach(function (gd) {
      if (ready(gd) && gd.offsetParent !== null) { window.Plotly.Plots.resize(gd); }
    });
  }
  function setText(el, text) { if (el && el.textContent !== text) { el.textContent = text; } }

  // --- the state ------------------------------------------------------------------------------
  // w: the weights in use (the last accepted value of each input); hiddenP / hiddenO: cleared
  // checkboxes; q: the search; selects: select id -> value; closed: collapsed sections;
  // all: every row of the first screen's ranking shown; at: the section last jumped to.
  var defaultClosed = {};  // sections folded until opened (the page says which)
  (DATA.collapsed || []).forEach(function (id) { defaultClosed[id] = true; });
  function freshState() {
    return {w: M ? M.defaults.slice() : [], hiddenP: {}, hiddenO: {}, q: '', selects: {},
            closed: Object.assign({}, defaultClosed), all: false, at: ''};
  }
  var state = freshState();
  var refused = {};  // weight index -> true while its input holds text that was refused
  var current = null;  // the last ranking: {order, by, zero, changed}

  // --- numbers --------------------------------------------------------------------------------
  function format(x) {
    if (x === null || x === undefined || !isFinite(x)) { return '\u2014'; }
    var m = Math.abs(x);
    if (m === 0) { return '0'; }
    if (m >= 1000) { return x.toLocaleString('en-US', {maximumFractionDigits: 0}); }
    if (m >= 10) { return x.toFixed(1); }
    if (m >= 1) { return x.toFixed(2); }
    // Three significant digits in plain decimals: never "1.2e-5" (String() would write that).
    var places = Math.min(20, 2 - Math.floor(Math.log10(m)));
    var text = x.toFixed(places).replace(/0+$/, '').replace(/\.$/, '');
    return (text === '-0' || text === '') ? '0' : text;
  }
  function weightText(x) {
    if (!isFinite(x)) { return '\u2014'; }
    if (x !== 0 && Math.abs(x) < 1e-4) { return x.toFixed(10).replace(/0+$/, ''); }
    return String(parseFloat(x.toPrecision(6)));
  }
  function percent(x) {
    if (!isFinite(x)) { return '\u2014'; }
    if (x > 0 && x < 0.01) { return '<1%'; }
    if (x > 0.99 && x < 1) { return '>99%'; }
    return Math.round(x * 100) + '%';
  }

  // --- search ---------------------------------------------------------------------------------
  // Portfolios whose id, label or short name hold every word of the search; if none does,
  // outcomes whose label or id do. Status quo stays, as the reference.
  var search = {p: null, o: null, np: 0, no: 0};
  function computeSearch() {
    var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    search = {p: null, o: null, np: 0, no: 0};
    if (!words.length) { return; }
    function hit(text) {
      text = text.toLowerCase();
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    }
    var ps = DATA.portfolios.filter(function (p) {
      return hit(p + ' ' + p.replace(/_/g, ' ') + ' ' + (DATA.labels[p] || '') + ' '
                 + (DATA.short[p] || ''));
    });
    if (ps.length) {
      search.p = {};
      ps.forEach(function (p) { search.p[p] = true; });
      search.p[SQ] = true;
      search.np = ps.length;
      return;
    }
    var os = outcomeIds.filter(function (o) {
      return hit(o + ' ' + o.replace(/_/g, ' ') + ' ' + DATA.outcomes[o]);
    });
    search.no = os.length;
    search.o = {};
    os.forEach(function (o) { search.o[o] = true; });
    if (!os.length) { search.o = null; search.none = true; }
  }
  function shownP(p) { return !state.hiddenP[p] && (!search.p || !known[p] || !!search.p[p]); }
  function shownO(o) { return !state.hiddenO[o] && (!search.o || !!search.o[o]); }

  // --- the ranking ----------------------------------------------------------------------------
  function totalWeight(w) {
    var total = 0;
    if (!M) { return 0; }
    w.forEach(function (x, k) { if (M.swings[k] > 0 && x > 0) { total += x; } });
    return total;
  }
  function valueMmd(w, total) {
    // The least valuable single-outcome MMD at these weights (value.composite_mmd).
    var best = Infinity;
    if (!M.mmd || !(total > 0)) { return NaN; }
    w.forEach(function (x, k) {
      var mmd = M.mmd[k];
      if (x > 0 && M.swings[k] > 0 && mmd !== null && isFinite(mmd)) {
        best = Math.min(best, (x / total) * mmd / M.swings[k]);
      }
    });
    return isFinite(best) ? best : NaN;
  }
  function verdict(low, high, mmd) {
    if (!(isFinite(low) && isFinite(high) && isFinite(mmd) && mmd > 0)) { return 'uncertain'; }
    if (low >= mmd) { return 'better'; }
    if (high <= -mmd) { return 'worse'; }
    if (-mmd < low && high < mmd) { return 'same'; }
    return 'uncertain';
  }
  function rescore(w, total) {
    var used = w.map(function (x, k) { return (x > 0 && M.swings[k] > 0) ? x : 0; });
    return M.portfolios.map(function (p, i) {
      var mean = 0;
      var variance = 0;
      var finite = M.t !== null;
      for (var a = 0; a < used.length; a++) {
        if (!used[a]) { continue; }
        mean += used[a] * M.effects[i][a];
        for (var b = 0; b < used.length; b++) {
          if (!used[b]) { continue; }
          var c = M.cov[i][a][b];
          if (c === null) { finite = false; } else { variance += used[a] * used[b] * c; }
        }
      }
      var half = finite ? M.t * Math.sqrt(Math.max(variance, 0) / M.n) : NaN;
      if (total > 0) { mean /= total; half /= total; } else { mean = 0; half = 0; }
      return {p: p, mean: mean, low: mean - half, high: mean + half,
              base: p in DATA.defaultRank ? DATA.defaultRank[p] : 1e9};
    });
  }
  function rankNow() {
    var scenarioOrder = DATA.ranked.slice();
    if (!M) {
      var by0 = {};
      scenarioOrder.forEach(function (p, i) { by0[p] = {rank: i + 1}; });
      return {order: scenarioOrder, by: by0, zero: false, changed: false};
    }
    var w = state.w;
    var changed = M.outcomes.some(function (o, k) {
      return Math.abs(w[k] - M.defaults[k]) > 1e-12;
    });
    var total = totalWeight(w);
    var by = {};
    if (!(total > 0)) {
      scenarioOrder.forEach(function (p) { by[p] = {rank: null}; });
      return {order: scenarioOrder, by: by, zero: true, changed: changed};
    }
    var rows = rescore(w, total);
    rows.sort(function (a, b) {
      var d = b.mean - a.mean;
      if (Math.abs(d) > 1e-12 * (1 + Math.abs(a.mean) + Math.abs(b.mean))) { return d; }
      return a.base - b.base;
    });
    var mmd = valueMmd(w, total);
    var head = null;
    rows.forEach(function (r, i) {
      var above = i > 0 ? rows[i - 1] : null;
      var tie = above !== null && isFinite(mmd) && Math.abs(above.mean - r.mean) < mmd;
      if (!tie) { head = i; }
      by[r.p] = {rank: i + 1, mean: r.mean, low: r.low, high: r.high, base: r.base,
                 tiedWith: tie ? head + 1 : null,
                 verdict: r.p === SQ ? '' : verdict(r.low, r.high, mmd)};
    });
    // A portfolio in the ranking table but not in the weight model keeps its place at the end.
    var order = rows.map(function (r) { return r.p; });
    scenarioOrder.forEach(function (p) {
      if (!(p in by)) { by[p] = {rank: null}; order.push(p); }
    });
    return {order: order, by: by, zero: false, changed: changed};
  }

  // Re-order, among themselves, the children of one parent that carry `attr` (a portfolio
  // name), keeping the places of their other siblings.
  function reorderChildren(parent, attr, position) {
    var kids = Array.prototype.filter.call(parent.children, function (c) {
      return c.hasAttribute(attr);
    });
    if (kids.length < 2) { return; }
    var index = new Map();
    kids.forEach(function (k, i) { index.set(k, i); });
    function pos(el) {
      var p = el.getAttribute(attr);
      return p in position ? position[p] : 1e6 + index.get(el);
    }
    var sorted = kids.slice().sort(function (a, b) { return pos(a) - pos(b); });
    if (sorted.every(function (el, i) { return el === kids[i]; })) { return; }
    var marks = kids.map(function (k) {
      var mark = document.createComment('');
      parent.insertBefore(mark, k);
      return mark;
    });
    sorted.forEach(function (el, i) { parent.insertBefore(el, marks[i]); });
    marks.forEach(function (m) { parent.removeChild(m); });
  }
  function reorderAll(order) {
    var position = {};
    order.forEach(function (p, i) { position[p] = i; });
    var parents = new Set();
    all('[data-portfolio]').forEach(function (el) {
      if (el.tagName === 'INPUT' || el.tagName === 'OPTION') { return; }
      var parent = el.parentNode;
      if (parent && !(parent.closest && parent.closest('[data-fixed-order]'))) {
        parents.add(parent);
      }
    });
    parents.forEach(function (parent) { reorderChildren(parent, 'data-portfolio', position); });
    var boxes = byId('portfolio-boxes');
    if (boxes) { reorderChildren(boxes, 'data-box', position); }
  }

  // --- figures --------------------------------------------------------------------------------
  function position() {
    var at = {};
    (current ? current.order : DATA.ranked).forEach(function (p, i) { at[p] = i; });
    return at;
  }
  function filterHeatmap(gd, i) {
    var trace = gd.data[i];
    var key = gd.id + ':' + i;
    if (!originals[key]) {
      originals[key] = {z: trace.z, x: trace.x, y: trace.y, text: trace.text,
                        customdata: trace.customdata};
    }
    var o = originals[key];
    var at = position();
    var rows = [];
    var cols = [];
    trace.meta.rows.forEach(function (p, r) { if (shownP(p)) { rows.push(r); } });
    // Rows that name portfolios follow the current ranking; others (option pairs) keep theirs.
    var ranked = rows.every(function (r) { return trace.meta.rows[r] in at; });
    if (ranked) {
      rows.sort(function (a, b) { return at[trace.meta.rows[a]] - at[trace.meta.rows[b]]; });
    }
    (trace.meta.cols || []).forEach(function (c, k) { if (shownO(c)) { cols.push(k); } });
    function pick(m) {
      return rows.map(function (r) { return cols.map(function (k) { return m[r][k]; }); });
    }
    var signature = rows.join(',') + '|' + cols.join(',');
    gd.__axisHeat = gd.__axisHeat || {};
    if (gd.__axisHeat[i] === undefined) {  // as drawn: every row and column in its place
      gd.__axisHeat[i] = trace.meta.rows.map(function (p, r) { return r; }).join(',') + '|'
        + (trace.meta.cols || []).map(function (c, k) { return k; }).join(',');
    }
    if (gd.__axisHeat[i] === signature) { return rows.length; }
    gd.__axisHeat[i] = signature;
    var update = {z: [pick(o.z)], y: [rows.map(function (r) { return o.y[r]; })],
                  x: [cols.map(function (k) { return o.x[k]; })]};
    if (o.text) { update.text = [pick(o.text)]; }
    if (o.customdata) { update.customdata = [pick(o.customdata)]; }
    window.Plotly.restyle(gd, update, [i]);
    return rows.length;
  }

  // The category order of a chart with one row per portfolio: the current ranking. Returns
  // whether it changed the layout (Plotly.react then redraws: relayout does not re-sort the
  // categories of axes that match another, as the ranking chart's two panels do).
  function orderRows(gd) {
    var lm = gd.layout.meta;
    if (!lm || !lm.rowPitch) { return false; }
    var category = {};
    gd.data.forEach(function (trace) {
      var p = trace.meta && trace.meta.portfolio;
      if (typeof p === 'string' && !(p in category) && trace.y && trace.y.length
          && typeof trace.y[0] === 'string') {
        category[p] = trace.y[0];
      }
    });
    var names = Object.keys(category);
    if (names.length < 2) { return false; }
    if (gd.__axisOrder === undefined && !(gd.layout.yaxis && gd.layout.yaxis.categoryarray)) {
      // As drawn: categories in the order the traces name them.
      gd.__axisOrder = names.map(function (p) { return category[p]; }).join('\u0001');
    }
    var at = position();
    names.sort(function (a, b) {
      return (a in at ? at[a] : 1e6) - (b in at ? at[b] : 1e6);
    });
    var array = names.map(function (p) { return category[p]; });
    var signature = array.join('\u0001');
    if (gd.__axisOrder === signature) { return false; }
    gd.__axisOrder = signature;
    var changed = false;
    Object.keys(gd._fullLayout).forEach(function (key) {
      var axis = gd._fullLayout[key];
      if (/^yaxis\d*$/.test(key) && axis && axis.type === 'category') {
        gd.layout[key] = gd.layout[key] || {};
        gd.layout[key].categoryorder = 'array';
        gd.layout[key].categoryarray = array;
        changed = true;
      }
    });
    return changed;
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
    if (orderRows(gd)) { window.Plotly.react(gd, gd.data, gd.layout); }
  }
  // Charts follow the state when they are near the viewport: a chart out of sight is marked
  // and brought up to date when it comes near (a page of a hundred charts with 32 rows each
  // would otherwise redraw them all at every keystroke).
  var near = new Set();
  var stale = new Set();
  var watcher = ('IntersectionObserver' in window) ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var gd = entry.target;
      if (!entry.isIntersecting) { near.delete(gd); return; }
      near.add(gd);
      if (stale.has(gd)) {
        stale.delete(gd);
        updatePlot(gd);
        if (gd.id === 'fig-tradeoff') { updateTradeoff(); }
      }
    });
  }, {rootMargin: '50% 0px 50% 0px'}) : null;
  all('.plotly-graph-div').forEach(function (gd) { if (watcher) { watcher.observe(gd); } });
  function updatePlots() {
    all('.plotly-graph-div').forEach(function (gd) {
      if (!watcher || near.has(gd)) { updatePlot(gd); } else if (ready(gd)) { stale.add(gd); }
    });
  }

  // --- showing and hiding ---------------------------------------------------------------------
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
  function applyVisibility() {
    var revealed = toggleAll('[data-portfolio]', 'hide-p', 'data-portfolio', shownP)
      .concat(toggleAll('[data-outcome]', 'hide-o', 'data-outcome', shownO));
    var count = DATA.portfolios.filter(shownP).length;
    setText(byId('portfolio-count'), String(count));
    all('#controls input[type=checkbox][data-portfolio]').forEach(function (box) {
      box.checked = !state.hiddenP[box.getAttribute('data-portfolio')];
    });
    all('#controls input[type=checkbox][data-outcome]').forEach(function (box) {
      box.checked = !state.hiddenO[box.getAttribute('data-outcome')];
    });
    var status = byId('search-status');
    if (status) {
      var text = '';
      if (state.q) {
        if (search.p) {
          text = search.np + ' portfolio' + (search.np === 1 ? '' : 's') + ' match'
            + (search.np === 1 ? 'es' : '') + ' (status quo kept as the reference)';
        } else if (search.o) {
          text = search.no + ' outcome' + (search.no === 1 ? '' : 's') + ' match'
            + (search.no === 1 ? 'es' : '');
        } else {
          text = 'Nothing matches \u201c' + state.q + '\u201d: everything is shown';
        }
      }
      setText(status, text);
    }
    return revealed;
  }

  // --- the rankings on the page ---------------------------------------------------------------
  var NOTHING = 'All weights are 0: there is nothing to rank. Give at least one outcome a '
    + 'weight above 0.';
  function alertBefore(anchor, id) {
    if (!anchor) { return null; }
    var el = byId(id);
    if (!el) {
      el = document.createElement('p');
      el.id = id;
      el.className = 'alert';
      el.setAttribute('role', 'status');
      el.hidden = true;
      anchor.parentNode.insertBefore(el, anchor);
    }
    return el;
  }
  function noteBefore(anchor, id) {
    if (!anchor) { return null; }
    var el = byId(id);
    if (!el) {
      el = document.createElement('p');
      el.id = id;
      el.className = 'muted rank-note';
      el.hidden = true;
      anchor.parentNode.insertBefore(el, anchor);
    }
    return el;
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
  function rankText(r) { return r && r.rank ? String(r.rank) : '\u2014'; }
  function valueText(r) {
    if (!r || r.mean === undefined) { return '\u2014'; }
    return format(r.mean) + ' [' + format(r.low) + ', ' + format(r.high) + ']';
  }

  function showRankNow(R) {
    var table = byId('rank-now');
    var alert = byId('rank-alert');
    setText(byId('rank-now-weights'), R.changed ? 'your weights' : "the scenario's weights");
    if (alert) { alert.hidden = !R.zero; setText(alert, R.zero ? NOTHING : ''); }
    if (!table) { return; }
    table.classList.toggle('unranked', R.zero);
    table.classList.toggle('show-all', state.all);
    var shown = 0;
    all('tbody tr[data-portfolio]', table).forEach(function (tr) {
      var p = tr.getAttribute('data-portfolio');
      var r = R.by[p];
      setText(tr.querySelector('[data-field=rank]'), rankText(r));
      var value = tr.querySelector('[data-field=value]');
      if (M && p !== SQ) { setText(value, R.zero ? '\u2014' : valueText(r)); }
      var flag = tr.querySelector('[data-field=flag]');
      if (flag) {
        var words = [];
        if (r && r.tiedWith) { words.push('tied with #' + r.tiedWith); }
        if (r && r.verdict === 'better') { words.push('better than status quo'); }
        if (r && r.verdict === 'worse') { words.push('worse than status quo'); }
        setText(flag, R.zero ? '' : words.join('; '));
        flag.className = 'flag' + (r && r.verdict && !r.tiedWith ? ' verdict-' + r.verdict : '');
      }
      var visible = !tr.classList.contains('hide-p');
      tr.classList.toggle('beyond', visible && shown >= (DATA.shownRows || 8));
      if (visible) { shown += 1; }
    });
    var more = byId('rank-now-all');
    if (more) {
      setText(more, more.getAttribute(state.all ? 'data-less' : 'data-more'));
      more.setAttribute('aria-expanded', state.all ? 'true' : 'false');
    }
  }

  function showRankingTables(R) {
    // The ranking section's table: rows in the current order, the rank column the current
    // rank; its other columns are at the scenario's weights, and it says so.
    var ranking = document.querySelector('table.ranking');
    if (ranking) {
      all('tbody tr[data-portfolio]', ranking).forEach(function (tr) {
        var r = R.by[tr.getAttribute('data-portfolio')];
        var base = DATA.defaultRank[tr.getAttribute('data-portfolio')];
        var text = rankText(r);
        var was = R.changed && r && r.rank && base && base !== r.rank ? 'scenario: ' + base : '';
        var td = tr.cells[0];
        if (td.getAttribute('data-shown') !== text + '|' + was) {
          td.setAttribute('data-shown', text + '|' + was);
          while (td.firstChild) { td.removeChild(td.firstChild); }
          td.appendChild(document.createTextNode(text));
          if (was) {
            var note = document.createElement('span');
            note.className = 'muted small was';
            note.textContent = was;
            td.appendChild(document.createElement('br'));
            td.appendChild(note);
          }
        }
      });
      var note = noteBefore(ranking, 'ranking-note');
      note.hidden = !R.changed || R.zero;
      setText(note, 'Rows in rank order at your weights (the scenario\u2019s rank in brackets). '
        + 'The other columns are at the scenario\u2019s weights: they need every world; your '
        + 'weights\u2019 values and intervals are in the re-ranked table below and in the '
        + 'decision section.');
      var alert = alertBefore(ranking, 'ranking-alert');
      alert.hidden = !R.zero;
      setText(alert, R.zero ? NOTHING : '');
      ranking.classList.toggle('unranked', R.zero);
    }
    all('tbody[data-fixed-order] tr[data-portfolio]').forEach(function (tr) {
      var r = R.by[tr.getAttribute('data-portfolio')];
      setText(tr.querySelector('[data-field=rank]'), rankText(r));
    });
    all('#portfolio-boxes li[data-box]').forEach(function (li) {
      setText(li.querySelector('.box-rank'), rankText(R.by[li.getAttribute('data-box')]));
    });
    if (!M) { return; }
    var table = byId('reweighted-table');
    if (table) {
      var body = table.tBodies[0];
      while (body.firstChild) { body.removeChild(body.firstChild); }
      R.order.forEach(function (p) {
        var r = R.by[p];
        var tr = document.createElement('tr');
        tr.setAttribute('data-portfolio', p);
        if (!shownP(p)) { tr.className = 'hide-p'; }
        cell(tr, rankText(r));
        nameCell(tr, p);
        cell(tr, R.zero ? '\u2014' : valueText(r));
        var move = r && r.rank && r.base < 1e9 ? r.base - r.rank : 0;
        if (!R.changed || move === 0 || R.zero) { cell(tr, '\u2013', 'muted'); }
        else if (move > 0) { cell(tr, '\u25b2 ' + move, 'up'); }
        else { cell(tr, '\u25bc ' + (-move), 'down'); }
        body.appendChild(tr);
      });
      table.classList.toggle('unranked', R.zero);
      var alert2 = alertBefore(table, 'reweighted-alert');
      alert2.hidden = !R.zero;
      setText(alert2, R.zero ? NOTHING : '');
    }
    var top = byId('weights-top');
    if (top) {
      while (top.firstChild) { top.removeChild(top.firstChild); }
      if (!R.zero) {
        R.order.filter(shownP).slice(0, 5).forEach(function (p) {
          var li = document.createElement('li');
          li.textContent = (DATA.short[p] || p) + ' \u2014 ' + format(R.by[p].mean);
          li.title = p;
          li.setAttribute('data-top', p);
          top.appendChild(li);
        });
      }
    }
    var problems = Object.keys(refused).length;
    var stateText = R.zero ? NOTHING
      : R.changed ? 'Your weights: every ranking on the page follows them. Best-ranked:'
        : 'Scenario weights. Best-ranked:';
    if (problems) {
      stateText = problems + ' weight' + (problems === 1 ? ' was' : 's were')
        + ' refused (see the message beside it); the last accepted value is in use. ' + stateText;
    }
    var st = byId('weights-state');
    if (st) {
      setText(st, stateText);
      st.classList.toggle('changed', R.changed && !R.zero);
      st.classList.toggle('problem', R.zero || problems > 0);
    }
    var badge = byId('weights-badge');
    if (badge) {
      setText(badge, R.zero ? 'Nothing to rank: all weights are 0'
        : problems ? 'A weight was refused' : R.changed ? 'Your weights' : 'Scenario weights');
      badge.classList.toggle('changed', R.changed && !R.zero && !problems);
      badge.classList.toggle('problem', R.zero || problems > 0);
    }
    // The value model's table: the Weight column shows the weights in use (sum 1).
    var total = totalWeight(state.w);
    M.outcomes.forEach(function (o, k) {
      all('#decision tr[data-outcome="' + o.replace(/["\\]/g, '\\$&') + '"] [data-field=weight]')
        .forEach(function (td) {
          if (!R.changed) { return; }
          var share = total > 0 && M.swings[k] > 0 ? Math.max(state.w[k], 0) / total : 0;
          setText(td, percent(share));
        });
    });
    all('.weights-differ').forEach(function (el) { el.hidden = !R.changed; });
  }

  var plotTimer = null;
  var revealedPending = [];
  function schedulePlots(revealed) {
    revealedPending = revealedPending.concat(revealed || []);
    if (plotTimer) { clearTimeout(plotTimer); }
    plotTimer = setTimeout(function () {
      plotTimer = null;
      updatePlots();
      var pending = revealedPending;
      revealedPending = [];
      pending.forEach(function (el) { resizeIn(el); });
    }, 150);
  }

  // Everything that follows from the state, in one pass.
  function update(options) {
    computeSearch();
    current = rankNow();
    reorderAll(current.order);
    var revealed = applyVisibility();
    showRankNow(current);
    showRankingTables(current);
    all('main > section').forEach(function (sec) {
      var closed = !!state.closed[sec.id];
      if (sec.classList.contains('collapsed') && !closed) { revealed.push(sec); }
      sec.classList.toggle('collapsed', closed);
      var button = sec.querySelector(':scope > h2 > .collapse-toggle');
      if (button) { button.setAttribute('aria-expanded', closed ? 'false' : 'true'); }
    });
    if (options && options.now) {
      updatePlots();
      revealed.forEach(function (el) { resizeIn(el); });
    } else {
      schedulePlots(revealed);
    }
    if (!(options && options.keepHash)) { writeHash(); }
    document.dispatchEvent(new CustomEvent('axis:state', {detail: {
      order: current.order.slice(), zero: current.zero, changed: current.changed}}));
  }

  // --- the URL fragment -----------------------------------------------------------------------
  function list(names) { return names.map(encodeURIComponent).join(','); }
  function unlist(text) {
    return text ? text.split(',').map(function (s) {
      try { return decodeURIComponent(s); } catch (e) { return s; }
    }).filter(Boolean) : [];
  }
  var selectDefaults = {};
  all('main select[id]').forEach(function (sel) { selectDefaults[sel.id] = sel.value; });
  var weightInputs = all('#controls input.weight[data-outcome]');

  function encode() {
    var parts = [];
    if (M) {
      var ws = [];
      weightInputs.forEach(function (input) {
        var o = input.getAttribute('data-outcome');
        var k = M.outcomes.indexOf(o);
        if (k < 0) { return; }
        var text = input.value.trim();
        if (text !== input.getAttribute('data-default')) {
          ws.push(encodeURIComponent(o) + ':' + encodeURIComponent(text));
        }
      });
      if (ws.length) { parts.push('w=' + ws.join(',')); }
    }
    var hidden = DATA.portfolios.filter(function (p) { return state.hiddenP[p]; });
    if (hidden.length * 2 > DATA.portfolios.length) {
      parts.push('only=' + list(DATA.portfolios.filter(function (p) {
        return !state.hiddenP[p];
      })));
    } else if (hidden.length) {
      parts.push('hide=' + list(hidden));
    }
    var hiddenO = outcomeIds.filter(function (o) { return state.hiddenO[o]; });
    if (hiddenO.length) { parts.push('ho=' + list(hiddenO)); }
    if (state.q) { parts.push('q=' + encodeURIComponent(state.q)); }
    Object.keys(state.selects).sort().forEach(function (id) {
      if (state.selects[id] !== selectDefaults[id]) {
        parts.push('s.' + encodeURIComponent(id) + '=' + encodeURIComponent(state.selects[id]));
      }
    });
    var ids = all('main > section[id]').map(function (sec) { return sec.id; });
    var closed = ids.filter(function (id) { return state.closed[id] && !defaultClosed[id]; });
    var opened = ids.filter(function (id) { return !state.closed[id] && defaultClosed[id]; });
    if (closed.length) { parts.push('closed=' + list(closed)); }
    if (opened.length) { parts.push('open=' + list(opened)); }
    if (state.all) { parts.push('all=1'); }
    if (state.at) { parts.push('at=' + encodeURIComponent(state.at)); }
    return parts.join('&');
  }

  var written = null;
  var hashTimer = null;
  function writeHash() {
    if (hashTimer) { clearTimeout(hashTimer); }
    hashTimer = setTimeout(function () {
      hashTimer = null;
      var fragment = encode();
      var now = location.hash.replace(/^#/, '');
      if (fragment === now) { return; }
      written = fragment;
      var url = location.href.split('#')[0] + (fragment ? '#' + fragment : '');
      try {
        history.replaceState(history.state, '', url);
      } catch (e) {
        location.hash = fragment;
      }
    }, 120);
  }

  // Read a fragment into the state; returns the weight texts it sets, by outcome.
  function decode(hash) {
    var fresh = freshState();
    var texts = {};
    var text = hash.replace(/^#/, '');
    if (text && text.indexOf('=') < 0) {  // a plain anchor (#ranking): keep it
      try { fresh.at = decodeURIComponent(text); } catch (e) { fresh.at = text; }
      return {state: fresh, texts: texts, anchor: true};
    }
    text.split('&').forEach(function (pair) {
      var i = pair.indexOf('=');
      if (i < 0) { return; }
      var key = pair.slice(0, i);
      var raw = pair.slice(i + 1);
      var value;
      try { value = decodeURIComponent(raw); } catch (e) { value = raw; }
      if (key === 'w') {
        raw.split(',').forEach(function (item) {
          var j = item.indexOf(':');
          if (j < 0) { return; }
          try {
            texts[decodeURIComponent(item.slice(0, j))] = decodeURIComponent(item.slice(j + 1));
          } catch (e) { /* a damaged entry is ignored */ }
        });
      } else if (key === 'hide') {
        unlist(raw).forEach(function (p) { if (known[p]) { fresh.hiddenP[p] = true; } });
      } else if (key === 'only') {
        var keep = {};
        unlist(raw).forEach(function (p) { keep[p] = true; });
        DATA.portfolios.forEach(function (p) { if (!keep[p]) { fresh.hiddenP[p] = true; } });
      } else if (key === 'ho') {
        unlist(raw).forEach(function (o) { fresh.hiddenO[o] = true; });
      } else if (key === 'q') {
        fresh.q = value;
      } else if (key.indexOf('s.') === 0) {
        var id;
        try { id = decodeURIComponent(key.slice(2)); } catch (e) { id = key.slice(2); }
        fresh.selects[id] = value;
      } else if (key === 'closed') {
        unlist(raw).forEach(function (id) { fresh.closed[id] = true; });
      } else if (key === 'open') {
        unlist(raw).forEach(function (id) { fresh.closed[id] = false; });
      } else if (key === 'all') {
        fresh.all = value === '1';
      } else if (key === 'at') {
        fresh.at = value;
      }
    });
    return {state: fresh, texts: texts, anchor: false};
  }

  // --- weights --------------------------------------------------------------------------------
  var NUMBER = /^\+?(\d+(\.\d*)?|\.\d+)$/;
  function check(text) {
    var t = text.trim();
    if (t === '') { return {error: 'Empty: enter a weight of 0 or more.'}; }
    if (/^[-\u2212\u2013]/.test(t)) {
      return {error: 'A weight cannot be negative (\u201c' + t + '\u201d): enter 0 or more.'};
    }
    if (/^\d+,\d+$/.test(t)) {
      return {error: '\u201c' + t + '\u201d: write decimals with a point (0.5).'};
    }
    if (!NUMBER.test(t)) {
      return {error: '\u201c' + t + '\u201d is not a number: enter a weight of 0 or more.'};
    }
    var v = parseFloat(t);
    if (!isFinite(v) || v > 1e9) { return {error: '\u201c' + t + '\u201d is too large.'}; }
    return {value: v};
  }
  function checkInput(input) {
    var k = M.outcomes.indexOf(input.getAttribute('data-outcome'));
    if (k < 0) { return; }
    var result = check(input.value);
    var box = byId('weight-error-' + input.id.replace(/^weight-/, ''));
    if (result.error) {
      refused[k] = true;
      input.classList.add('invalid');
      input.setAttribute('aria-invalid', 'true');
      if (box) {
        box.textContent = result.error + ' Still using ' + weightText(state.w[k]) + '.';
        box.hidden = false;
      }
    } else {
      delete refused[k];
      state.w[k] = result.value;
      input.classList.remove('invalid');
      input.removeAttribute('aria-invalid');
      if (box) { box.textContent = ''; box.hidden = true; }
    }
  }

  // --- restoring a view -----------------------------------------------------------------------
  var restoredOnce = false;
  function restore(hash) {
    var read = decode(hash || '');
    var fresh = read.state;
    if (M) {
      refused = {};
      weightInputs.forEach(function (input) {
        var o = input.getAttribute('data-outcome');
        input.value = o in read.texts ? read.texts[o] : input.getAttribute('data-default');
      });
      state.w = M.defaults.slice();
      weightInputs.forEach(checkInput);
    }
    state.hiddenP = fresh.hiddenP;
    state.hiddenO = fresh.hiddenO;
    state.q = fresh.q;
    state.closed = fresh.closed;
    state.all = fresh.all;
    state.at = fresh.at;
    var box = byId('search');
    if (box) { box.value = state.q; }
    state.selects = {};
    all('main select[id]').forEach(function (sel) {
      var want = sel.id in fresh.selects ? fresh.selects[sel.id] : selectDefaults[sel.id];
      var has = Array.prototype.some.call(sel.options, function (o) { return o.value === want; });
      if (has && sel.value !== want) {
        sel.value = want;
        sel.dispatchEvent(new Event('change'));
      }
      state.selects[sel.id] = sel.value;
    });
    update({now: true, keepHash: true});
    // Go to the section the link names, unless the page is being reloaded (the browser then
    // keeps the reader where they were).
    var navigation = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType('navigation')[0] : null;
    var reloaded = navigation && navigation.type === 'reload' && !restoredOnce;
    restoredOnce = true;
    if (state.at && !read.anchor && !reloaded) {
      var target = byId(state.at);
      if (target) { target.scrollIntoView(); }
    }
  }

  // --- wiring ---------------------------------------------------------------------------------
  all('#controls input[type=checkbox][data-portfolio]').forEach(function (box) {
    box.addEventListener('change', function () {
      state.hiddenP[box.getAttribute('data-portfolio')] = !box.checked;
      update();
    });
  });
  all('#controls input[type=checkbox][data-outcome]').forEach(function (box) {
    box.addEventListener('change', function () {
      state.hiddenO[box.getAttribute('data-outcome')] = !box.checked;
      update();
    });
  });
  all('#controls button[data-select]').forEach(function (button) {
    button.addEventListener('click', function () {
      var mode = button.getAttribute('data-select');
      var chosen = {};
      if (mode === 'singles') { DATA.singles.forEach(function (p) { chosen[p] = true; }); }
      if (mode === 'top') {
        (current ? current.order : DATA.ranked).slice(0, DATA.top)
          .forEach(function (p) { chosen[p] = true; });
      }
      DATA.portfolios.forEach(function (p) {
        var on = mode === 'all' ? true : mode === 'none' ? false
          : (chosen[p] === true || p === SQ);
        state.hiddenP[p] = !on;
      });
      update();
    });
  });
  if (M) {
    weightInputs.forEach(function (input) {
      input.addEventListener('input', function () { checkInput(input); update(); });
      input.addEventListener('change', function () { checkInput(input); update(); });
    });
    var reset = byId('weights-reset');
    if (reset) {
      reset.addEventListener('click', function () {
        weightInputs.forEach(function (input) {
          input.value = input.getAttribute('data-default');
          checkInput(input);
        });
        update();
      });
    }
  }
  var searchBox = byId('search');
  if (searchBox) {
    searchBox.addEventListener('input', function () {
      state.q = searchBox.value.trim();
      update();
    });
  }
  var more = byId('rank-now-all');
  if (more) {
    more.addEventListener('click', function () { state.all = !state.all; update(); });
  }

  // Wide tables scroll inside their own box instead of widening the page.
  all('main table').forEach(function (table) {
    var parent = table.parentNode;
    if (parent.classList && parent.classList.contains('table-scroll')) { return; }
    var box = document.createElement('div');
    box.className = 'table-scroll';
    parent.insertBefore(box, table);
    box.appendChild(table);
  });

  // Sections collapse from their heading.
  all('main > section').forEach(function (sec) {
    var heading = sec.querySelector(':scope > h2');
    if (!heading || !sec.id) { return; }
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'collapse-toggle no-print';
    button.setAttribute('aria-label', 'Collapse or expand this section');
    button.setAttribute('aria-expanded', 'true');
    heading.insertBefore(button, heading.firstChild);
    heading.addEventListener('click', function (event) {
      if (event.target.closest && event.target.closest('a')) { return; }
      state.closed[sec.id] = !state.closed[sec.id];
      update();
    });
  });
  all('[data-sections]').forEach(function (button) {
    button.addEventListener('click', function () {
      var collapse = button.getAttribute('data-sections') === 'collapse';
      state.closed = {};
      if (collapse) {
        all('main > section[id]').forEach(function (sec) {
          if (sec.id !== 'decision') { state.closed[sec.id] = true; }
        });
      }
      update();
    });
  });

  // Links within the page keep the view: they scroll, open a collapsed section and remember
  // where they went, instead of replacing the fragment.
  document.addEventListener('click', function (event) {
    var a = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!a) { return; }
    var id = decodeURIComponent(a.getAttribute('href').slice(1));
    var target = id ? byId(id) : null;
    if (!target) { return; }
    event.preventDefault();
    var sec = target.closest('main > section');
    if (sec && state.closed[sec.id]) { state.closed[sec.id] = false; }
    state.at = id;
    var menu = byId('sections-menu');
    if (menu) { menu.open = false; }
    update({now: true});
    target.scrollIntoView();
  });

  // The controls panel: open beside the page on a wide screen, folded away on a narrow one.
  var toggle = byId('controls-toggle');
  function setPanel(open) {
    document.body.classList.toggle('controls-hidden', !open);
    if (toggle) { toggle.setAttribute('aria-expanded', open ? 'true' : 'false'); }
    window.dispatchEvent(new Event('resize'));
  }
  setPanel(window.innerWidth >= 1280);
  if (toggle) {
    toggle.addEventListener('click', function () {
      setPanel(document.body.classList.contains('controls-hidden'));
    });
  }
  var close = byId('controls-close');
  if (close) { close.addEventListener('click', function () { setPanel(false); }); }
  var badge = byId('weights-badge');
  if (badge) {
    badge.addEventListener('click', function () {
      setPanel(true);
      var weights = byId('controls-weights');
      if (weights) { weights.open = true; weights.scrollIntoView(); }
    });
  }

  // --- trade-off axes -------------------------------------------------------------------------
  var selX = byId('tradeoff-x');
  var selY = byId('tradeoff-y');
  function updateTradeoff() {
    var gd = byId('fig-tradeoff');
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
      if (!p || p === SQ) { return; }
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
  var storyWorld = byId('story-world');
  var storyPortfolio = byId('story-portfolio');
  function updateStory() {
    var key = storyWorld.value + '|' + (storyPortfolio ? storyPortfolio.value : SQ);
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

  // Every select with an id is part of the state (after its own handler has run).
  all('main select[id]').forEach(function (sel) {
    sel.addEventListener('change', function () {
      state.selects[sel.id] = sel.value;
      writeHash();
    });
  });

  window.addEventListener('hashchange', function () {
    var now = location.hash.replace(/^#/, '');
    if (now === written) { return; }
    restore(location.hash);
  });

  // A figure drawn later (when scrolled to) gets the current order and filters.
  window.axisDashboard = {
    refresh: function (gd) {
      if (!gd) { return; }
      updatePlot(gd);
      if (gd.id === 'fig-tradeoff') { updateTradeoff(); }
    },
    state: function () { return JSON.parse(JSON.stringify(state)); },
    ranking: function () { return current ? current.order.slice() : DATA.ranked.slice(); },
    shown: function (p) { return shownP(p); },
    shownOutcome: function (o) { return shownO(o); }
  };

  // report/lazy.py draws charts when they are scrolled to and announces each one.
  document.addEventListener('axis:plotted', function (event) {
    window.axisDashboard.refresh(event.detail);
  });

  restore(location.hash);
})();
"""
