/*
 * Draws the Plotly figures built on the server (welfarelab/benchmarking/charts.py) with the locally
 * served plotly.js. Each chart is an element with data-figure="<id of a json_script block>" holding
 * {data, layout}; the same numbers are in the table next to it.
 */
(function () {
  "use strict";

  function draw(element) {
    const source = document.getElementById(element.dataset.figure);
    if (!source || typeof Plotly === "undefined") return;
    const figure = JSON.parse(source.textContent);
    Plotly.newPlot(element, figure.data, figure.layout, {
      // No mode bar: its buttons inside the role="img" container are nested controls (WCAG 4.1.2),
      // and the numbers are in the table next to the chart.
      displayModeBar: false,
      responsive: true,
    });
  }

  function drawAll() {
    document.querySelectorAll("[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
