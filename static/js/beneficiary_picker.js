// Find a station's beneficiaries by typing, in any form that includes templates/services/_beneficiary_picker.html:
// the station's lookup (JSON {results: [{id, name, masked_id_number, community, key_target}]}) answers as you type,
// arrows move, Enter picks. Several people or one (data-multiple). While an input method is composing (pinyin,
// wubi) nothing is asked: the letters typed so far are not the name yet, so "no match" would only flash.
(function () {
  "use strict";

  const DELAY_MS = 150;

  function setUp(picker) {
    const search = picker.querySelector("[data-search]");
    const options = picker.querySelector("[data-options]");
    const chips = picker.querySelector("[data-chips]");
    const fieldName = picker.dataset.field;
    const multiple = picker.dataset.multiple === "1";
    let results = [];
    let active = -1;
    let pending = null;
    let composing = false;
    let asked = 0; // answers to older questions are dropped

    function chosenIds() {
      return Array.from(chips.querySelectorAll("input[type=hidden]")).map((input) => input.value);
    }

    function addChip(person) {
      if (chosenIds().includes(String(person.id))) return;
      if (!multiple) chips.replaceChildren();
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
      remove.setAttribute("aria-label", `${picker.dataset.removeLabel || "×"} ${person.name}`);
      chip.append(input, remove);
      chips.append(chip);
      picker.dispatchEvent(new CustomEvent("beneficiary:chosen", { bubbles: true, detail: person }));
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
      if (items[index]) {
        search.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
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
        item.id = `${picker.id}-option-${person.id}`;
        item.setAttribute("role", "option");
        const name = document.createElement("span");
        name.className = "text-nowrap";
        name.textContent = `${person.key_target ? "★ " : ""}${person.name}`;
        const detail = document.createElement("span");
        detail.className = "small text-body-secondary font-monospace text-truncate";
        detail.textContent = [person.community, person.masked_id_number].filter(Boolean).join(" · ");
        item.append(name, detail);
        item.addEventListener("mousedown", (event) => {
          event.preventDefault(); // keep the focus in the box
          choose(index);
        });
        options.append(item);
      });
      options.hidden = false;
      search.setAttribute("aria-expanded", "true");
      highlight(people.length ? 0 : -1);
      fitOnScreen();
    }

    // On a phone the list opens near the bottom, above the keyboard and under a sticky save bar: scroll the page
    // just enough for the whole list to be seen.
    function fitOnScreen() {
      const bar = picker.closest("form")?.querySelector(":scope > .card-footer");
      const screenBottom = window.visualViewport ? window.visualViewport.height : window.innerHeight;
      const barTop = bar && getComputedStyle(bar).position === "sticky" ? bar.getBoundingClientRect().top : screenBottom;
      const room = Math.min(barTop, screenBottom) - options.getBoundingClientRect().top - 8;
      const wanted = options.getBoundingClientRect().height;
      if (room < wanted) window.scrollBy({ top: wanted - room, behavior: "instant" });
    }

    function choose(index) {
      if (!results[index]) return;
      addChip(results[index]);
      search.value = "";
      close();
      search.focus();
    }

    function ask() {
      const query = search.value.trim();
      clearTimeout(pending);
      if (!query) return close();
      const question = ++asked;
      pending = setTimeout(async () => {
        const response = await fetch(`${picker.dataset.lookup}?q=${encodeURIComponent(query)}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok || question !== asked || composing || search.value.trim() !== query) return;
        show((await response.json()).results);
      }, DELAY_MS);
    }

    search.addEventListener("compositionstart", () => {
      composing = true;
      clearTimeout(pending);
    });
    search.addEventListener("compositionend", () => {
      composing = false;
      ask(); // the committed characters: now ask
    });
    search.addEventListener("input", (event) => {
      if (composing || event.isComposing) return;
      ask();
    });

    search.addEventListener("keydown", (event) => {
      if (event.isComposing || composing) return; // Enter and arrows belong to the input method then
      const count = results.length;
      if (event.key === "ArrowDown" && !options.hidden && count) {
        event.preventDefault();
        highlight((active + 1) % count);
      } else if (event.key === "ArrowUp" && !options.hidden && count) {
        event.preventDefault();
        highlight((active - 1 + count) % count);
      } else if (event.key === "Enter" && !options.hidden && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
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
  }

  document.querySelectorAll("[data-lookup]").forEach(setUp);
})();
