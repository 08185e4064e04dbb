/* A select marked data-autosubmit sends its form as soon as another option is chosen (the form keeps a
 * <noscript> button for browsers without scripts). Bound here rather than in an onchange attribute, which
 * the Content Security Policy forbids. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
})();
