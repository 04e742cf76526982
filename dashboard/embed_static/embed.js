// Draws the chart of an embed page (/embed/<chart>, dashboard/embed.py) with the app's own plotly.js bundle:
// the figure and its config are in the page as JSON, so nothing else is fetched but the local world map.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("chart");
    var spec = document.getElementById("chart-spec");
    if (!box || !spec || !window.Plotly) return;
    var parsed = JSON.parse(spec.textContent);
    var fig = parsed.figure || {};
    var layout = Object.assign({}, fig.layout || {}, { autosize: true });
    delete layout.width; // the frame decides the width (config.responsive redraws on resize)
    window.Plotly.newPlot(box, fig.data || [], layout, parsed.config || {}).then(function () {
      box.setAttribute("data-drawn", "true");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
