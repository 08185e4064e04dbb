/* A report job's page while it is pending or running: follow the job through the API every two seconds and
 * reload the page once its status changes. The box (#report-progress) carries the status URL and the status. */
(function () {
  "use strict";

  var box = document.getElementById("report-progress");
  if (!box) {
    return;
  }
  var elapsed = box.querySelector("[data-elapsed]");
  var shownAt = Date.now();

  async function poll() {
    try {
      var response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok && (await response.json()).status !== box.dataset.status) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A network hiccup: the next poll tries again.
    }
    elapsed.textContent = Math.round((Date.now() - shownAt) / 1000) + " " + elapsed.dataset.unit;
    window.setTimeout(poll, 2000);
  }

  window.setTimeout(poll, 2000);
})();
