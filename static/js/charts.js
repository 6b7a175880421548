/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID">, with the vendored Chart.js.
   Each chart gets its axis titles (with units) from the server, a legend wherever colour carries
   meaning, and a second y-axis only with its own title. Without JavaScript the same numbers are in
   the "Numbers" table under each chart. */
(function () {
  "use strict";
  var palette = ["#7c3aed", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#ec4899", "#64748b", "#84cc16"];
  var ink = "#334155";

  function datasetStyle(config, dataset, index) {
    if (config.type === "doughnut") {
      return Object.assign({}, dataset, { backgroundColor: config.colors || palette, borderWidth: 1 });
    }
    var colour = palette[index % palette.length];
    var style = { borderColor: colour, backgroundColor: colour + "66", pointRadius: 2, tension: 0.25, spanGaps: true };
    if (index > 0 && config.axes && config.axes.y2) {
      // The second series (post counts, active users) on its own, titled right-hand axis.
      style.yAxisID = "y1";
      if (config.type === "bar") { style.type = "line"; style.backgroundColor = colour; }
    }
    return Object.assign({}, dataset, style);
  }

  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // "2026-07-20" → "Jul 20": ISO dates are for the Numbers table, short ones fit a phone's axis.
  function shortDate(label) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
    return m ? months[parseInt(m[2], 10) - 1] + " " + parseInt(m[3], 10) : label;
  }

  // 1800000 → "1.8M", as the pages print numbers (config/formatting.py compact).
  function compact(value) {
    var n = Math.abs(value), units = [[1e9, "B"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < units.length; i++) {
      if (n >= units[i][0]) return (value / units[i][0]).toFixed(1).replace(/\.0$/, "") + units[i][1];
    }
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }

  function title(text) {
    return { display: !!text, text: text || "", color: ink, font: { size: 11, weight: "600" } };
  }

  function scales(config) {
    if (config.type === "doughnut") return {};
    var axes = config.axes || {};
    var result = {
      x: {
        title: title(axes.x),
        ticks: {
          maxRotation: 0, autoSkip: true, autoSkipPadding: 16, color: ink,
          callback: function (value) { return shortDate(this.getLabelForValue(value)); },
        },
      },
      y: { beginAtZero: config.type === "bar", title: title(axes.y), ticks: { color: ink, callback: compact } },
    };
    if (axes.y2 && config.datasets.length > 1) {
      result.y1 = {
        beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: title(axes.y2),
        ticks: { color: ink, callback: compact },
      };
    }
    return result;
  }

  function draw(root) {
    if (!window.Chart) return;
    (root || document).querySelectorAll("canvas[data-chart]:not([data-drawn])").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var config = JSON.parse(source.textContent);
      new window.Chart(canvas, {
        type: config.type,
        data: {
          labels: config.labels,
          datasets: config.datasets.map(function (d, i) { return datasetStyle(config, d, i); }),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: scales(config),
          plugins: {
            legend: {
              display: config.type === "doughnut" || config.datasets.length > 1,
              position: "bottom",
              labels: { boxWidth: 12, color: ink },
            },
          },
        },
      });
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
