// HTML slots: a table the server writes as one HTML string (layouts/html_text.py) is put in place as soon as
// its callback's answer arrives, through Dash's renderer hooks (dashboard/app_factory.py: request_pre /
// request_post), in the same task that applies the answer's other outputs. A clientside callback on the
// store would run in a renderer cycle of its own, after the frame that draws the charts (~20-40 ms later).
// A slot is an element with data-html-from="<store id>"; the store is the callback's output and keeps the
// markup. An answer is shown only if it is the newest request sent for that store: one arriving late is not.
(function () {
  var newest = {};  // store id -> the payload of the newest request that writes it

  function outputIds(payload) {
    var outs = payload && payload.outputs;
    if (!outs) return [];
    return (Array.isArray(outs) ? outs : [outs])
      // an output that other callbacks also write (allow_duplicate) is named "data@<hash>"
      .filter(function (o) {
        return o && typeof o.id === "string" && String(o.property).split("@")[0] === "data";
      })
      .map(function (o) { return o.id; });
  }

  function pre(payload) {
    outputIds(payload).forEach(function (id) { newest[id] = payload; });
  }

  function post(payload, response) {
    if (!response || typeof response !== "object") return;
    outputIds(payload).forEach(function (id) {
      var props = response[id];
      if (newest[id] !== payload || !props || typeof props.data !== "string") return;
      var slot = document.querySelector('[data-html-from="' + CSS.escape(id) + '"]');
      if (slot) slot.innerHTML = props.data;
    });
  }

  window.mtmHtmlSlots = { pre: pre, post: post };
})();
