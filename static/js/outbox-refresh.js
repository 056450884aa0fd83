// Refreshes the outbox status of a letter while it is being sent (correspondence/outbox_letter.html).
(function () {
  "use strict";
  var region = document.getElementById("outbox-status");
  var summary = document.getElementById("outbox-summary");
  function pending() { return region.querySelector("[data-pending='true']") !== null; }
  // Someone ticking copies or typing a reason: do not replace the form under them.
  function inUse() {
    var form = region.querySelector("[data-settle]");
    if (!form) { return false; }
    var reason = form.querySelector("textarea");
    return form.contains(document.activeElement) ||
      form.querySelector("input[type=checkbox]:checked") !== null ||
      (reason !== null && reason.value !== "");
  }
  function refresh() {
    if (!pending()) { return; }
    if (inUse()) { window.setTimeout(refresh, 3000); return; }
    fetch(region.dataset.refreshUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        region.innerHTML = html;
        var root = region.querySelector("[data-summary]");
        if (root) { summary.textContent = root.dataset.summary; }
        window.setTimeout(refresh, 3000);
      })
      .catch(function () { window.setTimeout(refresh, 10000); });
  }
  window.setTimeout(refresh, 3000);
})();
