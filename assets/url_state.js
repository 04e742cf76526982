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

// The page language travels in the URL (lang=): in-app navigation keeps it, and the EN / RU / KK switch
// reloads the page the user is looking at now (the explorer pushes its filters into the address bar after the
// switch's links were drawn), in the other language.
(function () {
  var navigate = window.mtmNavigate;
  window.mtmNavigate = function (href) {
    var here = new URLSearchParams(window.location.search).get("lang");
    var target = new URL(href, window.location.href);
    if (here && !target.searchParams.has("lang")) { target.searchParams.set("lang", here); }
    navigate(target.pathname + target.search + target.hash);
  };
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-lang]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    var target = new URL(window.location.href);
    target.searchParams.set("lang", link.getAttribute("data-lang"));
    event.preventDefault();
    window.location.assign(target.pathname + target.search + target.hash);
  });
})();
