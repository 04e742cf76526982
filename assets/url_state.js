// Back / Forward on the explorer: hand the restored query string to Dash (the explorer pushes its state into
// the address bar itself, so dcc.Location would not notice a return to an earlier entry).
window.addEventListener("popstate", function () {
  var onExplorer = window.location.pathname.replace(/\/$/, "") === "/explore" && document.getElementById("map");
  if (onExplorer && window.dash_clientside && window.dash_clientside.set_props) {
    window.dash_clientside.set_props("url-pop", { data: window.location.search });
  }
});
