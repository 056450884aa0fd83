// Refreshes the outbox status of a letter while it is being sent (correspondence/outbox_letter.html).
(function () {
  "use strict";
  var region = document.getElementById("outbox-status");
  var summary = document.getElementById("outbox-summary");
  function pending() { return region.querySelector("[data-pending='true']") !== null; }
  function refresh() {
    if (!pending()) { return; }
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
