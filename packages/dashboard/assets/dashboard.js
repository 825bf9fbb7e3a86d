// The dashboard's only client script: draws the charts the server described in JSON data blocks
// (with uPlot, served by the same server), opens the span a link points at (#span-<id>), and keeps
// live pages fresh (see live.js). Everything else on the pages is plain server-rendered HTML that
// works without it.
(function () {
  'use strict';

  var HEIGHTS = { 'time-bars': 220, histogram: 220, 'time-line': 180, spark: 28 };

  function readSpec(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent || 'null') : null;
  }

  function fillOf(color) {
    return color + 'b3';
  }

  function barSeries(label, color, align) {
    return {
      label: label,
      stroke: color,
      fill: fillOf(color),
      width: 0,
      points: { show: false },
      paths: uPlot.paths.bars({ size: [0.85, 48], align: align }),
    };
  }

  // The pages print times in UTC; the charts' time axes say the same.
  function utc(ts) {
    return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
  }

  function options(spec, width) {
    var height = HEIGHTS[spec.type] || 200;
    if (spec.type === 'time-bars') {
      var last = spec.x.length ? spec.x[spec.x.length - 1] + spec.bucketSeconds : 1;
      return {
        width: width, height: height, tzDate: utc,
        scales: { x: { time: true, range: function () { return [spec.x[0], last]; } }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
        series: [{}].concat(spec.series.map(function (s) { return barSeries(s.label, s.color, 1); })),
        axes: [{}, { size: 48 }],
      };
    }
    if (spec.type === 'histogram' || spec.type === 'spark') {
      var spark = spec.type === 'spark';
      var ticks = spec.labels.map(function (_, i) { return i; });
      return {
        width: spark ? 120 : width, height: height,
        legend: { show: !spark },
        cursor: { show: !spark, points: { show: false } },
        scales: { x: { time: false, range: [-0.5, spec.labels.length - 0.5] }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
        series: [{ label: 'Latency', value: function (u, i) { return i == null ? '' : spec.labels[i]; } }, barSeries('Calls', spec.color, 0)],
        axes: spark
          ? [{ show: false }, { show: false }]
          : [{ splits: function () { return ticks; }, values: function (u, splits) { return splits.map(function (i) { return spec.labels[i] || ''; }); }, rotate: -40, size: 60 }, { size: 48 }],
      };
    }
    return {
      width: width, height: height, tzDate: utc,
      scales: { x: { time: true } },
      series: [{}].concat(spec.series.map(function (s) { return { label: s.label, stroke: s.color, width: 2, points: { show: true, size: 5 } }; })),
      axes: [{}, { size: 56 }],
    };
  }

  function dataOf(spec) {
    if (spec.type === 'histogram' || spec.type === 'spark') return [spec.labels.map(function (_, i) { return i; }), spec.counts];
    return [spec.x].concat(spec.series.map(function (s) { return s.values; }));
  }

  var charts = [];

  function drawAll(root) {
    if (typeof uPlot === 'undefined') return;
    var targets = (root || document).querySelectorAll('[data-chart]');
    for (var i = 0; i < targets.length; i++) {
      var target = targets[i];
      var spec = readSpec(target.getAttribute('data-chart'));
      if (!spec) continue;
      var width = Math.max(target.clientWidth || 0, 240);
      charts.push({ target: target, plot: new uPlot(options(spec, width), dataOf(spec), target), spark: spec.type === 'spark' });
    }
  }

  var resizeTimer = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (c) {
        if (!c.spark) c.plot.setSize({ width: Math.max(c.target.clientWidth, 240), height: c.plot.height });
      });
    }, 150);
  });

  // A link to #span-<id> opens that span's details and brings it into view.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var element = document.getElementById(id);
    if (!element || element.tagName !== 'DETAILS') return;
    var previous = document.querySelector('details.targeted');
    if (previous) previous.classList.remove('targeted');
    element.open = true;
    element.classList.add('targeted');
    element.scrollIntoView({ block: 'center' });
  }

  window.addEventListener('hashchange', openTarget);
  // A region live.js replaced gets its charts drawn again; charts of the old one are dropped.
  document.addEventListener('mini-agent:region-replaced', function (event) {
    charts = charts.filter(function (c) { return document.body.contains(c.target); });
    drawAll(event.target);
  });
  drawAll();
  openTarget();
})();
