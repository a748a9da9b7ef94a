/*
 * Draws the population pyramids of a territory page with the locally served Plotly.
 * Each chart is an element with data-pyramid="<id of a json_script block>"; the JSON holds single ages
 * 0..maxAge ("maxAge" meaning "and over"), males and females, translated labels and the number
 * separators of the page language. Males are drawn to the left (negative), females to the right.
 */
(function () {
  "use strict";

  const MALE_COLOUR = "#0066cc"; // Bootstrap Italia primary
  const FEMALE_COLOUR = "#d1344c"; // contrasting; the side (left/right) and its label carry the meaning too

  function grouped(data, width) {
    if (width === 1) {
      return {
        labels: data.ages.map(function (age) {
          return age === data.maxAge ? age + "+" : String(age);
        }),
        males: data.males,
        females: data.females,
      };
    }
    const labels = [];
    const males = [];
    const females = [];
    data.ages.forEach(function (age, i) {
      const low = age >= data.maxAge ? data.maxAge : age - (age % width);
      const label = low === data.maxAge ? low + "+" : low + "-" + Math.min(low + width - 1, data.maxAge - 1);
      if (labels[labels.length - 1] !== label) {
        labels.push(label);
        males.push(0);
        females.push(0);
      }
      males[males.length - 1] += data.males[i];
      females[females.length - 1] += data.females[i];
    });
    return { labels: labels, males: males, females: females };
  }

  function niceTicks(max) {
    if (max <= 0) return [0];
    const rough = max / 3;
    const power = Math.pow(10, Math.floor(Math.log10(rough)));
    const step = [1, 2, 2.5, 5, 10].map(function (m) {
      return m * power;
    }).find(function (s) {
      return s >= rough;
    });
    const ticks = [];
    for (let v = step; v <= max; v += step) ticks.push(v);
    return ticks;
  }

  function format(value, separators) {
    const thousands = separators.charAt(1);
    return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
  }

  function draw(element, data, width) {
    const g = grouped(data, width);
    const max = Math.max.apply(null, g.males.concat(g.females));
    const ticks = niceTicks(max);
    const tickvals = ticks.map(function (t) { return -t; }).reverse().concat([0], ticks);
    const ticktext = tickvals.map(function (v) { return format(Math.abs(v), data.separators); });
    const common = {
      type: "bar",
      orientation: "h",
      y: g.labels,
      hovertemplate: "%{y}: %{customdata:,d}<extra>%{fullData.name}</extra>",
    };
    const traces = [
      Object.assign({}, common, {
        name: data.labels.males,
        x: g.males.map(function (v) { return -v; }),
        customdata: g.males,
        marker: { color: MALE_COLOUR },
      }),
      Object.assign({}, common, {
        name: data.labels.females,
        x: g.females,
        customdata: g.females,
        marker: { color: FEMALE_COLOUR },
      }),
    ];
    const layout = {
      barmode: "relative",
      bargap: width === 1 ? 0 : 0.08,
      separators: data.separators,
      height: width === 1 ? 620 : 520,
      margin: { l: 56, r: 16, t: 16, b: 48 },
      font: { family: "Titillium Web, Geneva, Tahoma, sans-serif", size: 14, color: "#1a1a1a" },
      showlegend: false, // the sides are labelled above the chart, in the page's HTML
      xaxis: {
        tickvals: tickvals,
        ticktext: ticktext,
        range: [-max * 1.05, max * 1.05],
        title: { text: data.labels.people },
        zeroline: true,
        zerolinecolor: "#5c6f82",
        gridcolor: "#e6e9f2",
        fixedrange: true,
      },
      yaxis: {
        title: { text: data.labels.age },
        type: "category",
        automargin: true,
        fixedrange: true,
        dtick: width === 1 ? 5 : 1,
      },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
    };
    // No mode bar: its buttons would be keyboard traps inside an element exposed as one image.
    Plotly.react(element, traces, layout, { displayModeBar: false, responsive: true });
  }

  function init() {
    if (typeof Plotly === "undefined") return; // the data table stays the source of truth
    document.querySelectorAll("[data-pyramid]").forEach(function (element) {
      const source = document.getElementById(element.dataset.pyramid);
      if (!source) return;
      const data = JSON.parse(source.textContent);
      draw(element, data, 5);
      const controls = document.querySelector('[data-pyramid-controls="' + element.id + '"]');
      if (controls) {
        controls.hidden = false;
        controls.addEventListener("change", function (event) {
          draw(element, data, Number(event.target.value));
        });
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
