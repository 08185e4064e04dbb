// The service-record form, made for the keyboard: pick the kind with Alt+digit, fill common durations with one
// click, save with Ctrl+Enter; beneficiaries are found by typing (beneficiary_picker.js). Without JavaScript the
// form still posts.
(function () {
  "use strict";

  const form = document.querySelector("#service-log-form, #service-record-form");
  if (!form) return;

  // --- durations, kinds, saving ----------------------------------------------------------------------------------
  document.querySelectorAll("[data-duration-for] [data-minutes]").forEach((button) => {
    button.addEventListener("click", () => {
      const input = document.getElementById(button.closest("[data-duration-for]").dataset.durationFor);
      input.value = button.dataset.minutes;
    });
  });

  const kinds = Array.from(form.querySelectorAll("input[name=kind]"));
  document.addEventListener("keydown", (event) => {
    if (event.altKey && /^[1-9]$/.test(event.key) && kinds[Number(event.key) - 1]) {
      event.preventDefault();
      kinds[Number(event.key) - 1].checked = true;
      kinds[Number(event.key) - 1].focus();
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", () => {
    const button = form.querySelector("button[type=submit]");
    button.disabled = true; // one click, one record
    button.querySelector(".bi")?.classList.replace("bi-check-lg", "bi-hourglass-split");
  });
})();
