// Copy buttons of the Embed and Cite dialogs (layouts/share.py): copy the text box a button names and say,
// in the words the button carries, whether it worked. The Clipboard API needs a secure context (HTTPS or
// localhost); elsewhere the text is selected and copied the older way, which may also be refused.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) return;
    var id = button.getAttribute("data-copy-target");
    var box = document.getElementById(id);
    var status = document.getElementById(id + "-status");
    if (!box) return;
    function say(ok) {
      if (status) status.textContent = button.getAttribute(ok ? "data-copied" : "data-copy-failed");
    }
    function fallback() {
      box.focus();
      box.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      say(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(function () { say(true); }, fallback);
    } else {
      fallback();
    }
  });
})();
