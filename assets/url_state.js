// Back / Forward on the explorer: hand the restored query string to Dash (the explorer pushes its state into
// the address bar itself, so dcc.Location would not notice a return to an earlier entry).
window.addEventListener("popstate", function () {
  var onExplorer = window.location.pathname.replace(/\/$/, "") === "/explore" && document.getElementById("map");
  if (onExplorer && window.dash_clientside && window.dash_clientside.set_props) {
    window.dash_clientside.set_props("url-pop", { data: window.location.search });
  }
});

// Navigate inside the app as dcc.Link does: a history entry, then dcc.Location picks the new path up.
window.mtmNavigate = function (href) {
  window.history.pushState({}, "", href);
  window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
};
