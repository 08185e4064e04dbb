/* The station picker of the assignment form: type to narrow the stations (by station or township name), tick a
 * township's stations at once, and see how many are chosen. Bound here, not in attributes, for the CSP. */
(function () {
  "use strict";

  function setUp(picker) {
    var search = picker.querySelector("[data-picker-search]");
    var count = picker.querySelector("[data-picker-count]");
    var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-group]"));
    var boxes = picker.querySelectorAll("input[type=checkbox]");

    function recount() {
      if (!count) return;
      var ticked = 0;
      Array.prototype.forEach.call(boxes, function (box) { if (box.checked) ticked += 1; });
      count.textContent = ticked + " / " + boxes.length;
    }

    function narrow() {
      var text = (search.value || "").trim().toLowerCase();
      groups.forEach(function (group) {
        var township = group.querySelector("[data-picker-township]").textContent.toLowerCase();
        var shown = 0;
        group.querySelectorAll("[data-picker-option]").forEach(function (option) {
          var match = !text || township.indexOf(text) >= 0 || option.textContent.toLowerCase().indexOf(text) >= 0;
          option.hidden = !match;
          if (match) shown += 1;
        });
        group.hidden = shown === 0;
      });
    }

    if (search) search.addEventListener("input", narrow);
    picker.addEventListener("change", recount);
    picker.addEventListener("click", function (event) {
      var button = event.target.closest("[data-picker-all]");
      if (!button) return;
      var options = button.closest("[data-picker-group]").querySelectorAll("[data-picker-option]:not([hidden]) input");
      var all = Array.prototype.every.call(options, function (box) { return box.checked; });
      Array.prototype.forEach.call(options, function (box) { box.checked = !all; });
      recount();
    });
    recount();
  }

  document.querySelectorAll("[data-station-picker]").forEach(setUp);
})();
