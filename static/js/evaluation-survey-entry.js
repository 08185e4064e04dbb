// Keying in paper survey forms: a digit 1-5 fills a question and moves on to the next; a wrong key is ignored;
// Backspace on an empty box goes back one; Enter (the browser's own) records the form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-paper-entry]");
  if (!form) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[data-score]"));
  var firstEmpty = boxes.filter(function (box) { return !box.value; })[0];
  if (form.querySelector(".is-invalid")) (form.querySelector(".is-invalid") || boxes[0]).focus();
  else if (firstEmpty) firstEmpty.focus();

  boxes.forEach(function (box, index) {
    box.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (/^[1-5]$/.test(event.key)) {
        event.preventDefault();
        box.value = event.key;
        box.classList.remove("is-invalid");
        var next = boxes[index + 1] || form.querySelector("textarea, button[type=submit]");
        if (next) next.focus();
      } else if (event.key === "Backspace" && !box.value && index > 0) {
        event.preventDefault();
        boxes[index - 1].value = "";
        boxes[index - 1].focus();
      } else if (event.key.length === 1) {
        event.preventDefault(); // anything but 1-5 is not a score
      }
    });
    box.addEventListener("focus", function () { box.select(); });
  });

  // Enter in the comment records the form too (Shift+Enter for a new line).
  var comment = form.querySelector("textarea");
  if (comment) {
    comment.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  }
})();
