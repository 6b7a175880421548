/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID">, with the vendored Chart.js.
   Without JavaScript the same numbers are in the "Numbers" table under each chart. */
(function () {
  "use strict";
  var palette = ["#7c3aed", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#ec4899", "#64748b", "#84cc16"];

  function datasetStyle(type, dataset, index) {
    if (type === "doughnut") {
      return Object.assign({}, dataset, { backgroundColor: palette, borderWidth: 1 });
    }
    var colour = palette[index % palette.length];
    var style = { borderColor: colour, backgroundColor: colour + "66", pointRadius: 2, tension: 0.25, spanGaps: true };
    if (type === "bar" && index > 0) {
      // A second series on a bar chart (post counts) is drawn as a line on its own axis.
      style.type = "line";
      style.yAxisID = "y1";
      style.backgroundColor = colour;
    }
    return Object.assign({}, dataset, style);
  }

  function draw(root) {
    if (!window.Chart) return;
    (root || document).querySelectorAll("canvas[data-chart]:not([data-drawn])").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var config = JSON.parse(source.textContent);
      var scales = {};
      if (config.type === "bar") {
        scales = { y: { beginAtZero: true }, y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } };
      }
      new window.Chart(canvas, {
        type: config.type,
        data: {
          labels: config.labels,
          datasets: config.datasets.map(function (d, i) { return datasetStyle(config.type, d, i); }),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: config.type === "doughnut" ? {} : scales,
          plugins: { legend: { display: config.type === "doughnut" || config.datasets.length > 1, position: "bottom" } },
        },
      });
      canvas.dataset.drawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
