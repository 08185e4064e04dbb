// The service-record form, made for the keyboard: find beneficiaries by typing, pick the kind with Alt+digit,
// fill common durations with one click, save with Ctrl+Enter. Without JavaScript the form still posts.
(function () {
  "use strict";

  const form = document.querySelector("#service-log-form, #service-record-form");
  if (!form) return;

  // --- beneficiaries: type, arrow, Enter -----------------------------------------------------------------------
  const picker = document.getElementById("beneficiary-picker");
  const search = document.getElementById("beneficiary-search");
  const options = document.getElementById("beneficiary-options");
  const chips = document.getElementById("beneficiary-chips");
  const fieldName = picker.dataset.field;
  let results = [];
  let active = -1;
  let pending = null;

  function chosenIds() {
    return Array.from(chips.querySelectorAll("input[type=hidden]")).map((input) => input.value);
  }

  function addChip(person) {
    if (chosenIds().includes(String(person.id))) return;
    const chip = document.createElement("span");
    chip.className = "badge rounded-pill text-bg-light border d-inline-flex align-items-center gap-1 py-2";
    chip.dataset.id = person.id;
    if (person.key_target) {
      const star = document.createElement("i");
      star.className = "bi bi-star-fill text-warning";
      star.setAttribute("aria-hidden", "true");
      chip.append(star);
    }
    chip.append(document.createTextNode(person.name));
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = fieldName;
    input.value = person.id;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close btn-close-sm";
    remove.setAttribute("aria-label", picker.dataset.removeLabel || "×");
    chip.append(input, remove);
    chips.append(chip);
  }

  function close() {
    options.hidden = true;
    options.replaceChildren();
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const items = options.querySelectorAll("[role=option]");
    items.forEach((item, i) => item.classList.toggle("active", i === index));
    active = index;
    if (items[index]) search.setAttribute("aria-activedescendant", items[index].id);
  }

  function show(people) {
    results = people;
    options.replaceChildren();
    if (!people.length) {
      const none = document.createElement("li");
      none.className = "list-group-item small text-body-secondary";
      none.textContent = picker.dataset.noneLabel || "—";
      options.append(none);
    }
    people.forEach((person, index) => {
      const item = document.createElement("li");
      item.className = "list-group-item list-group-item-action d-flex justify-content-between gap-3";
      item.id = `beneficiary-option-${person.id}`;
      item.setAttribute("role", "option");
      const name = document.createElement("span");
      name.textContent = `${person.key_target ? "★ " : ""}${person.name}`;
      const detail = document.createElement("span");
      detail.className = "small text-body-secondary font-monospace";
      detail.textContent = [person.community, person.masked_id_number].filter(Boolean).join(" · ");
      item.append(name, detail);
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(index);
      });
      options.append(item);
    });
    options.hidden = false;
    search.setAttribute("aria-expanded", "true");
    highlight(people.length ? 0 : -1);
  }

  function choose(index) {
    if (!results[index]) return;
    addChip(results[index]);
    search.value = "";
    close();
    search.focus();
  }

  search.addEventListener("input", () => {
    const query = search.value.trim();
    clearTimeout(pending);
    if (!query) return close();
    pending = setTimeout(async () => {
      const response = await fetch(`${picker.dataset.lookup}?q=${encodeURIComponent(query)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok && search.value.trim() === query) show((await response.json()).results);
    }, 150);
  });

  search.addEventListener("keydown", (event) => {
    const count = results.length;
    if (event.key === "ArrowDown" && !options.hidden) {
      event.preventDefault();
      highlight((active + 1) % count);
    } else if (event.key === "ArrowUp" && !options.hidden) {
      event.preventDefault();
      highlight((active - 1 + count) % count);
    } else if (event.key === "Enter" && !options.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Enter" && !event.ctrlKey) {
      event.preventDefault(); // Enter in the search box never submits half a form
    } else if (event.key === "Escape") {
      close();
    } else if (event.key === "Backspace" && !search.value) {
      chips.lastElementChild?.remove();
    }
  });
  search.addEventListener("blur", () => setTimeout(close, 100));
  chips.addEventListener("click", (event) => {
    if (event.target.matches(".btn-close")) event.target.closest("[data-id]").remove();
  });

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
