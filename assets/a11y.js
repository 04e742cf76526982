// Accessibility patches for Dash 4's dcc.Dropdown (issue 8), applied to the rendered DOM.
// 1. Name: the dropdown's button is labelled only by its value; prepend the <label for="<id>"> so a screen
//    reader announces "Indicator, Visas issued" (WCAG 1.3.1, 4.1.2).
// 2. Focus: Dash puts an aria-hidden, focusable <input> in the tab order that forwards focus to the button
//    (axe: aria-hidden-focus). Make the button itself the tab stop and take the proxy out of the tab order.
(function () {
  function patch(wrapper) {
    var button = wrapper.querySelector("button.dash-dropdown");
    var proxy = wrapper.querySelector(".dash-dropdown-focus-target");
    if (!button) return;
    if (button.id && window.CSS && CSS.escape) {
      var label = document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
      if (label) {
        if (!label.id) label.id = button.id + "--label";
        var ids = (button.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
        if (ids[0] !== label.id) {
          ids = ids.filter(function (i) { return i !== label.id; });
          button.setAttribute("aria-labelledby", [label.id].concat(ids).join(" "));
        }
      }
    }
    if (!button.disabled && button.getAttribute("tabindex") !== "0") button.setAttribute("tabindex", "0");
    if (proxy && proxy.getAttribute("tabindex") !== "-1") proxy.setAttribute("tabindex", "-1");
  }
  function patchAll() {
    document.querySelectorAll(".dash-dropdown-wrapper").forEach(patch);
  }
  var queued = false;
  new MutationObserver(function () {
    if (queued) return;
    queued = true;
    // a microtask: before the browser handles the next key press
    Promise.resolve().then(function () { queued = false; patchAll(); });
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex", "aria-labelledby"]
  });
  patchAll();
})();

// Chart summaries: copy each figure's text alternative (layout.meta.summary, made by dashboard/a11y.py)
// into the visually hidden paragraph next to the graph, whenever the chart is (re)drawn.
(function () {
  function update() {
    document.querySelectorAll("p.chart-summary[data-graph]").forEach(function (p) {
      var gd = document.querySelector("#" + CSS.escape(p.getAttribute("data-graph")) + " .js-plotly-plot");
      var meta = gd && gd.layout && gd.layout.meta;
      var text = (meta && meta.summary) || "";
      if (p.textContent !== text) p.textContent = text;
      if (gd && !gd.__mtmSummary && gd.on) {
        gd.__mtmSummary = true;
        gd.on("plotly_afterplot", update);
      }
    });
  }
  var queued = false;
  new MutationObserver(function () {
    if (queued) return;
    queued = true;
    setTimeout(function () { queued = false; update(); }, 50);
  }).observe(document.documentElement, { subtree: true, childList: true });
  update();
})();
