/* Station form: show only the villages/communities of the township chosen above them.
 * The server checks the same thing (StationForm.clean); this only keeps the list short. */
(function () {
  "use strict";

  function init() {
    var township = document.getElementById("id_township");
    var grid = document.querySelector('[data-choices-for="communities"]');
    if (!township || !grid) {
      return;
    }
    var options = Array.prototype.slice.call(grid.querySelectorAll("input[data-township]"));
    var hint = document.getElementById("communities-hint");
    if (hint) {
      grid.appendChild(hint);
    }

    // On load, a community already ticked stays visible even if it is a stray, so that the
    // server's error about it can be read; a change of township clears the strays.
    function filter(clearStrays) {
      options.forEach(function (input) {
        var belongs = input.getAttribute("data-township") === township.value;
        if (!belongs && clearStrays) {
          input.checked = false;
        }
        input.closest(".form-check").hidden = !belongs && !input.checked;
      });
      if (hint) {
        hint.hidden = township.value !== "";
      }
    }

    township.addEventListener("change", function () { filter(true); });
    filter(false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
