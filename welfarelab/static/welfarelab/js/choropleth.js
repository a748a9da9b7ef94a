/*
 * Draws the choropleth maps of the community profile with the locally served plotly.js (a `choropleth`
 * geo trace: no tiles, no WebGL). Each map is an element with data-choropleth-url="<JSON of
 * benchmarking:indicator-map>": the boundaries (GeoJSON, id = ISTAT code), the values with their
 * quantile class, the translated texts and the number separators of the page language. The only request
 * is that JSON. Beside the map goes a legend in words (numbered classes, "no value", the outlined
 * territory) and a note, so that the map can be read without telling colours apart; the ranked table of
 * the page holds every value.
 */
(function () {
  "use strict";

  // ColorBrewer YlGnBu, 5 classes: sequential in lightness, safe for the common colour-vision deficiencies.
  const PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
  const NO_VALUE = "#d9d9d9";
  const EDGE = "#ffffff";
  const OUTLINE = "#1a1a1a";
  const HALO = "-1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 1px 1px 0 #fff, 0 0 3px #fff";
  const TRANSPARENT = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]];

  // plotly.js fetches the world's coastlines from cdn.plot.ly for any geo subplot, even when the base
  // map is hidden: an empty topology, given before the first plot, keeps every request on this site.
  function stubWorldMap() {
    window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
    window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
    if (!window.PlotlyGeoAssets.topojson.world_110m) {
      window.PlotlyGeoAssets.topojson.world_110m = { type: "Topology", objects: {}, arcs: [] };
    }
  }

  // The colours of `count` classes, spread over the palette so that 3 classes still run light to dark.
  function coloursFor(count) {
    if (count <= 1) return [PALETTE[2]];
    const colours = [];
    for (let i = 0; i < count; i++) {
      colours.push(PALETTE[Math.round((i * (PALETTE.length - 1)) / (count - 1))]);
    }
    return colours;
  }

  // A step colour scale: class i (z = i) gets exactly colours[i].
  function stepScale(colours) {
    const scale = [];
    colours.forEach(function (colour, i) {
      scale.push([i / colours.length, colour], [(i + 1) / colours.length, colour]);
    });
    return scale;
  }

  function traces(data, colours) {
    const geo = { type: "choropleth", geojson: data.geojson, featureidkey: "id", showscale: false };
    const known = new Set(data.values.map(function (v) { return v.code; }));
    const byCode = {};
    data.geojson.features.forEach(function (f) { byCode[f.id] = f; });
    const missing = data.geojson.features.filter(function (f) { return !known.has(f.id); });
    const result = [
      Object.assign({}, geo, {
        name: data.legend_title,
        locations: data.values.map(function (v) { return v.code; }),
        z: data.values.map(function (v) { return v["class"]; }),
        zmin: -0.5,
        zmax: colours.length - 0.5,
        colorscale: stepScale(colours),
        customdata: data.values.map(function (v) { return [v.name, v.label, v["class"] + 1]; }),
        hovertemplate: "<b>%{customdata[0]}</b><br>%{customdata[1]} (%{customdata[2]}/" + colours.length + ")<extra></extra>",
        marker: { line: { color: EDGE, width: 0.6 } },
      }),
    ];
    if (missing.length) {
      result.push(Object.assign({}, geo, {
        name: data.no_value.label,
        locations: missing.map(function (f) { return f.id; }),
        z: missing.map(function () { return 0; }),
        colorscale: [[0, NO_VALUE], [1, NO_VALUE]],
        customdata: missing.map(function (f) { return [f.properties.name, data.no_value.hover]; }),
        hovertemplate: "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        marker: { line: { color: EDGE, width: 0.6 } },
      }));
    }
    const highlight = data.highlight;
    if (highlight) {
      // A white halo under a dark line: the outline stands out on the lightest and the darkest class.
      [[EDGE, 6], [OUTLINE, 3]].forEach(function (line) {
        result.push(Object.assign({}, geo, {
          name: highlight.name,
          locations: highlight.codes,
          z: highlight.codes.map(function () { return 0; }),
          colorscale: TRANSPARENT,
          hoverinfo: "skip",
          marker: { line: { color: line[0], width: line[1] } },
        }));
      });
      result.push({
        type: "scattergeo",
        lon: [highlight.label_point[0]],
        lat: [highlight.label_point[1]],
        mode: "markers+text",
        text: [highlight.name],
        textposition: "top center",
        textfont: { size: 15, color: OUTLINE, weight: 700, shadow: HALO },
        marker: { size: 9, color: OUTLINE, line: { color: EDGE, width: 2 } },
        hoverinfo: "skip",
        showlegend: false,
      });
    }
    return result;
  }

  function layout(data, element) {
    const width = element.clientWidth || 600;
    return {
      separators: data.separators,
      height: Math.max(360, Math.min(640, Math.round(width * 0.85))),
      margin: { l: 0, r: 0, t: 0, b: 0 },
      font: { family: "Titillium Web, Geneva, Tahoma, sans-serif", size: 14, color: OUTLINE },
      showlegend: false, // the legend is HTML text below the map
      dragmode: false,
      geo: {
        fitbounds: "locations",
        visible: false,
        projection: { type: "mercator" }, // true shapes at Italy's latitudes
        bgcolor: "rgba(0,0,0,0)",
      },
      paper_bgcolor: "rgba(0,0,0,0)",
      hoverlabel: { bgcolor: "#ffffff", bordercolor: OUTLINE, font: { color: OUTLINE } },
    };
  }

  function swatch(colour, outlined) {
    const box = document.createElement("span");
    box.setAttribute("aria-hidden", "true");
    box.className = "d-inline-block align-middle me-2 flex-shrink-0";
    // Set through the DOM, not a style attribute: allowed by the strict CSP.
    box.style.width = "1.5rem";
    box.style.height = "1rem";
    box.style.backgroundColor = colour;
    box.style.border = outlined ? "3px solid " + OUTLINE : "1px solid #5c6f82";
    return box;
  }

  function legendItem(list, colour, text, outlined) {
    const item = document.createElement("li");
    item.className = "d-flex align-items-center mb-1";
    item.appendChild(swatch(colour, outlined));
    item.appendChild(document.createTextNode(text));
    list.appendChild(item);
  }

  function legend(data, colours) {
    const box = document.createElement("div");
    box.className = "wl-map-legend mt-2";
    const title = document.createElement("p");
    title.className = "fw-semibold mb-1";
    title.textContent = data.title;
    box.appendChild(title);
    if (data.bins.length) {
      const caption = document.createElement("p");
      caption.className = "mb-1";
      caption.textContent = data.legend_title;
      box.appendChild(caption);
    }
    const list = document.createElement("ol");
    list.className = "list-unstyled mb-2";
    data.bins.forEach(function (bin, i) {
      legendItem(list, colours[i], i + 1 + ". " + bin.label, false);
    });
    if (data.no_value.count) legendItem(list, NO_VALUE, data.no_value.label, false);
    if (data.highlight) legendItem(list, "transparent", data.highlight.name, true);
    box.appendChild(list);
    if (data.note) {
      const note = document.createElement("p");
      note.className = "mb-0";
      note.textContent = data.note;
      box.appendChild(note);
    }
    return box;
  }

  function failed(element, message) {
    const text = document.createElement("p");
    text.className = "wl-map-error";
    text.textContent = message;
    element.insertAdjacentElement("afterend", text);
  }

  function draw(element) {
    fetch(element.dataset.choroplethUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      })
      .then(function (data) {
        const colours = coloursFor(data.bins.length);
        element.insertAdjacentElement("afterend", legend(data, colours));
        // The page's own label (e.g. "the table below gives the same values") stays first.
        const label = element.getAttribute("aria-label");
        element.setAttribute("aria-label", (label ? label + " " : "") + data.title + ". " + data.note);
        return Plotly.newPlot(element, traces(data, colours), layout(data, element), {
          displayModeBar: false, // its buttons would be keyboard traps inside an element exposed as one image
          responsive: true,
          scrollZoom: false,
        });
      })
      .then(function () {
        element.dataset.choroplethReady = "true"; // for the browser tests
      })
      .catch(function (error) {
        element.dataset.choroplethReady = "error";
        failed(element, (element.dataset.choroplethError || "The map could not be drawn.") + " (" + error.message + ")");
      });
  }

  function init() {
    if (typeof Plotly === "undefined") return; // the ranked table stays the source of truth
    stubWorldMap();
    document.querySelectorAll("[data-choropleth-url]").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
