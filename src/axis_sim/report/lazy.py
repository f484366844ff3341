"""Charts drawn when they are scrolled to, not while the page loads.

plotly.py writes every figure as a `<div class="plotly-graph-div">` followed by an inline
`Plotly.newPlot(...)` call, so a page of eighty charts draws all eighty before it answers a
click (10 s for the baseline dashboard on a 2-core machine). `LAZY_JS`, placed right after
plotly.js in the page's head, wraps `Plotly.newPlot`: while the document is still loading, a
call for a chart div only records its arguments and watches the div with an
IntersectionObserver; the chart is drawn when it comes within a screen of the viewport, one
chart per task so input is answered between them. Calls made after the page has loaded (the
page's own scripts) draw at once. A chart inside something hidden (a collapsed section, an
unselected view) is drawn when it is shown.

Other scripts see the charts as plotly leaves them (`gd.data` is only set once drawn) and get an
`axis:plotted` event (bubbling, `detail` the div) after each deferred chart is drawn, so they
can apply their state to it. `window.axisLazy` has `renderAll()` (draws every pending chart;
printing calls it), `render(div)`, `pending()` (how many wait) and `whenDrawn(div)` (a promise).
Without IntersectionObserver every chart is drawn as before.
"""

from __future__ import annotations

__all__ = ["LAZY_JS", "lazy_script"]

LAZY_JS = r"""
(function () {
  'use strict';
  var P = window.Plotly;
  if (!P || !P.newPlot || window.axisLazy) { return; }
  var real = P.newPlot;
  var pending = [];            // [div, arguments] in page order
  var waiting = [];            // resolvers of whenDrawn, by div
  var queue = [];
  var scheduled = false;
  var observer = ('IntersectionObserver' in window) ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) { enqueue(e.target); } });
  }, {rootMargin: '100% 0px 100% 0px'}) : null;

  function indexOf(div) {
    for (var i = 0; i < pending.length; i++) { if (pending[i][0] === div) { return i; } }
    return -1;
  }
  function draw(div) {
    var i = indexOf(div);
    if (i < 0) { return null; }
    var args = pending[i][1];
    pending.splice(i, 1);
    if (observer) { observer.unobserve(div); }
    var done = real.apply(P, args);
    function settle() {
      div.dispatchEvent(new CustomEvent('axis:plotted', {bubbles: true, detail: div}));
      waiting = waiting.filter(function (w) {
        if (w[0] === div) { w[1](div); return false; }
        return true;
      });
    }
    if (done && typeof done.then === 'function') { done.then(settle, settle); } else { settle(); }
    return done;
  }
  function enqueue(div) {
    if (queue.indexOf(div) < 0) { queue.push(div); }
    if (!scheduled) { scheduled = true; setTimeout(step, 0); }
  }
  function step() {
    scheduled = false;
    var div = queue.shift();
    if (div) { draw(div); }
    if (queue.length) { scheduled = true; setTimeout(step, 0); }
  }
  P.newPlot = function (gd) {
    var div = typeof gd === 'string' ? document.getElementById(gd) : gd;
    if (!observer || document.readyState !== 'loading' || !div || !div.classList
        || !div.classList.contains('plotly-graph-div') || indexOf(div) >= 0) {
      return real.apply(P, arguments);
    }
    pending.push([div, Array.prototype.slice.call(arguments)]);
    observer.observe(div);
    return Promise.resolve(div);
  };
  window.axisLazy = {
    pending: function () { return pending.length; },
    render: function (div) { return draw(div); },
    renderAll: function () {
      var all = pending.map(function (p) { return p[0]; });
      return Promise.all(all.map(function (div) { return Promise.resolve(draw(div)); }));
    },
    whenDrawn: function (div) {
      if (indexOf(div) < 0) { return Promise.resolve(div); }
      return new Promise(function (resolve) { waiting.push([div, resolve]); });
    }
  };
  window.addEventListener('beforeprint', function () { window.axisLazy.renderAll(); });
})();
"""


def lazy_script() -> str:
    """The `<script>` that defers charts; it must follow plotly.js and precede every chart."""
    return f'<script data-part="lazy">{LAZY_JS}</script>'
