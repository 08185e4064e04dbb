/* The two-way assessment's rating form: the total follows the scores as they are typed, and a score outside
 * 0 to its maximum (the input's max) is marked at once. The server checks again on save; this only helps.
 * Loaded as a file: the Content Security Policy forbids inline scripts. */
(function () {
  "use strict";

  var form = document.getElementById("two-way-form");
  var output = form && form.querySelector("[data-two-way-total]");
  if (!output) {
    return;
  }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("[data-two-way-score]"));

  // Tenths of a point as integers, so 0.1 + 0.2 adds up to 0.3.
  function tenths(text) {
    var value = String(text).trim();
    if (!/^[0-9]+([.][0-9]+)?$/.test(value)) {
      return null;
    }
    return Math.round(parseFloat(value) * 10);
  }

  function refresh() {
    var sum = 0;
    var missing = 0;
    inputs.forEach(function (input) {
      var value = tenths(input.value);
      var max = tenths(input.getAttribute("max"));
      var bad = input.value.trim() !== "" && (value === null || (max !== null && value > max));
      input.classList.toggle("is-invalid", bad);
      if (value === null || bad) {
        missing += 1;
      } else {
        sum += value;
      }
    });
    output.textContent = (sum / 10).toFixed(1);
    output.classList.toggle("text-body-secondary", missing > 0);
    output.title = missing > 0 ? output.getAttribute("data-incomplete") || "" : "";
  }

  form.addEventListener("input", function (event) {
    if (event.target.hasAttribute("data-two-way-score")) {
      refresh();
    }
  });
  refresh();
})();
