/*
 * The report page's only script besides uPlot: draws every chart from the JSON embedded in the page
 * (built by src/report/charts.ts). Bundled and minified into the CLI at build time
 * (scripts/build.mjs); runs offline, makes no request. Times are UTC.
 */
(function () {
  'use strict';
  var dataEl = document.getElementById('migobs-report-data');
  var spec = JSON.parse(dataEl.textContent);
  var times = spec.times;
  var drawn = [];
  window.__migobsCharts = drawn;
  // The uPlot instance of each chart by id, for the page checks (positions of what was drawn).
  var plots = {};
  window.__migobsPlots = plots;

  var BAND = { pause: 'rgba(245, 158, 11, 0.22)', unknown: 'rgba(107, 114, 128, 0.25)', rollback: 'rgba(220, 38, 38, 0.25)' };

  function utc(ts) {
    return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
  }

  // Episodes shaded behind the series: pause, then unknown, then rollback on top (worst shows last).
  function bandsHook(bands) {
    return function (u) {
      if (!bands || !bands.length) return;
      var ctx = u.ctx;
      var top = u.bbox.top;
      var height = u.bbox.height;
      ctx.save();
      ['pause', 'unknown', 'rollback'].forEach(function (kind) {
        ctx.fillStyle = BAND[kind];
        bands.forEach(function (b) {
          if (b.kind !== kind) return;
          var x0 = Math.max(u.bbox.left, u.valToPos(b.start, 'x', true));
          var x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(b.end, 'x', true));
          if (x1 <= x0) x1 = x0 + Math.max(1, devicePixelRatio);
          ctx.fillRect(x0, top, x1 - x0, height);
        });
      });
      ctx.restore();
    };
  }

  function make(el, c) {
    var width = Math.max(320, el.clientWidth || 800);
    var series = [{ label: 'time (UTC)' }];
    var data = [times];
    c.series.forEach(function (s) {
      var opts = { label: s.label, stroke: s.color, width: s.width || 1.5, spanGaps: false, points: { show: false } };
      if (s.dash) opts.dash = s.dash;
      if (s.stepped) opts.paths = uPlot.paths.stepped({ align: 1 });
      if (s.fill) opts.fill = s.fill;
      if (s.markers) {
        // Points only (no line between them), filled; the legend says what they stand for.
        opts.paths = function () { return null; };
        opts.points = { show: true, size: 9, width: 1, stroke: s.color, fill: s.color };
        opts.value = function (u, v) { return v == null ? '--' : s.markers.legend; };
      }
      series.push(opts);
      data.push(s.values);
    });
    var yAxis = { label: c.yLabel || '', size: c.categories ? 110 : 70 };
    var scales = { x: { time: true } };
    if (c.categories) {
      var names = c.categories;
      yAxis.splits = function () {
        return names.map(function (_, i) { return i; });
      };
      yAxis.values = function (u, splits) {
        return splits.map(function (v) { return names[v] === undefined ? '' : names[v]; });
      };
      scales.y = { range: [-0.5, names.length - 0.5] };
    } else if (c.yRange) {
      scales.y = { range: c.yRange };
    }
    var u = new uPlot(
      {
        title: c.title,
        width: width,
        height: c.height || 220,
        tzDate: utc,
        scales: scales,
        series: series,
        axes: [{}, yAxis],
        cursor: { drag: { x: true, y: false } },
        hooks: { drawClear: [bandsHook(c.bands)] },
      },
      data,
      el,
    );
    drawn.push({ id: el.getAttribute('data-chart'), colors: c.series.map(function (s) { return s.color; }), points: times.length });
    plots[el.getAttribute('data-chart')] = u;
    el.setAttribute('data-drawn', 'true');
    return u;
  }

  var charts = [];
  var els = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < els.length; i++) {
    var id = els[i].getAttribute('data-chart');
    var c = spec.charts[id];
    if (!c) throw new Error('no data for chart ' + id);
    charts.push({ el: els[i], u: make(els[i], c) });
  }
  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (x) {
        x.u.setSize({ width: Math.max(320, x.el.clientWidth || 800), height: x.u.height });
      });
    }, 100);
  });
  document.documentElement.setAttribute('data-charts-drawn', String(drawn.length));
})();
