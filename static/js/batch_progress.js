/* A report batch's page while it runs: read its progress from the API every three seconds, move the bar and the
 * counts, and reload the page once the batch has finished (to list its failed reports). */
(function () {
  "use strict";

  var box = document.getElementById("batch-progress");
  if (!box || !box.dataset.statusUrl) {
    return;
  }
  function show(name, value) {
    var node = box.querySelector('[data-batch="' + name + '"]');
    if (node) {
      node.textContent = value;
    }
  }

  async function poll() {
    try {
      var response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        var batch = await response.json();
        var bar = box.querySelector('[data-batch="bar"]');
        bar.max = batch.total;
        bar.value = batch.done + batch.failed;
        ["total", "done", "failed", "running", "pending", "percent"].forEach(function (name) {
          show(name, batch[name]);
        });
        if (batch.finished_at) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A network hiccup: the next poll tries again.
    }
    window.setTimeout(poll, 3000);
  }

  window.setTimeout(poll, 3000);
})();
