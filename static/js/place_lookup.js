// A place search box (templates/reports/_place_input.html), the ARIA 1.2 combobox pattern: type two characters and
// the lookup (JSON {results: [{id, kind, pk, name, where, level_label}]}, the user's scope only, at most 20) answers;
// arrows move, Enter or a click picks, Escape closes. Picking sets a hidden input named for the kind of place (a
// station's or a region's field); typing again drops it, so the text alone is sent, which the server also searches
// by: the box works, more slowly, without this script. While an input method is composing (pinyin, wubi) nothing is
// asked: the letters typed so far are not the name yet.
(function () {
  "use strict";

  const DELAY_MS = 150;

  function setUp(box) {
    const input = box.querySelector("[data-place-input]");
    const options = box.querySelector("[data-place-options]");
    const status = box.querySelector("[data-place-status]");
    const badge = box.querySelector("[data-place-badge]");
    const minLength = Number(box.dataset.minLength || 2);
    let results = [];
    let active = -1;
    let pending = null;
    let composing = false;
    let asked = 0; // answers to older questions are dropped

    function hidden() {
      return box.querySelector("[data-place-id]");
    }

    function say(text) {
      status.textContent = text;
    }

    function forget() {
      hidden()?.remove();
      badge.hidden = true;
    }

    function close() {
      options.hidden = true;
      options.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const items = options.querySelectorAll("[role=option]");
      items.forEach((item, i) => {
        item.classList.toggle("active", i === index);
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function option(place, index) {
      const item = document.createElement("li");
      item.className = "list-group-item list-group-item-action d-flex align-items-center gap-2";
      item.id = `${box.id}-option-${place.kind}-${place.pk}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      const icon = document.createElement("i");
      icon.className = `bi bi-${place.kind === "station" ? "house-heart" : "geo-alt"} text-body-secondary`;
      icon.setAttribute("aria-hidden", "true");
      const name = document.createElement("span");
      name.className = "text-nowrap fw-semibold";
      name.textContent = place.name;
      const level = document.createElement("span");
      level.className = "badge text-bg-light border";
      level.textContent = place.level_label;
      const where = document.createElement("span");
      where.className = "small text-body-secondary text-truncate ms-auto";
      where.textContent = place.where;
      item.append(icon, name, level, where);
      item.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the box
        choose(index);
      });
      return item;
    }

    function show(places) {
      results = places;
      options.replaceChildren();
      if (!places.length) {
        const none = document.createElement("li");
        none.className = "list-group-item small text-body-secondary";
        none.textContent = box.dataset.noneLabel;
        options.append(none);
      }
      places.forEach((place, index) => options.append(option(place, index)));
      options.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(places.length ? 0 : -1);
      say(places.length ? box.dataset.countLabel.replace("{count}", places.length) : box.dataset.noneLabel);
    }

    function choose(index) {
      const place = results[index];
      if (!place) return;
      forget();
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = place.kind === "station" ? box.dataset.stationName : box.dataset.regionName;
      field.value = place.pk;
      field.dataset.placeId = "";
      box.append(field);
      badge.textContent = place.level_label;
      badge.hidden = false;
      // Other ways of naming the place the server offered (a list of stations a typed request could mean) go.
      input.form?.querySelectorAll("[data-place-alternatives]").forEach((element) => element.remove());
      input.value = place.name;
      close();
      say(`${place.level_label} ${place.name}`);
    }

    function ask({ keep = false } = {}) {
      const query = input.value.trim();
      clearTimeout(pending);
      if (!keep) forget(); // the text changed: the place picked before is no longer what the box says
      if (query.length < minLength) {
        close();
        if (query) say(box.dataset.shortLabel);
        return;
      }
      const question = ++asked;
      pending = setTimeout(async () => {
        const url = new URL(box.dataset.placeLookup, window.location.href);
        url.searchParams.set("q", query);
        if (box.dataset.kind) url.searchParams.set("kind", box.dataset.kind);
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok || question !== asked || composing || input.value.trim() !== query) return;
        show((await response.json()).results);
      }, DELAY_MS);
    }

    input.addEventListener("compositionstart", () => {
      composing = true;
      clearTimeout(pending);
    });
    input.addEventListener("compositionend", () => {
      composing = false;
      ask(); // the committed characters: now ask
    });
    input.addEventListener("input", (event) => {
      if (composing || event.isComposing) return;
      ask();
    });
    input.addEventListener("keydown", (event) => {
      if (event.isComposing || composing) return; // Enter and arrows belong to the input method then
      const count = results.length;
      if (event.key === "ArrowDown" && !options.hidden && count) {
        event.preventDefault();
        highlight((active + 1) % count);
      } else if (event.key === "ArrowDown" && options.hidden && input.value.trim().length >= minLength) {
        event.preventDefault();
        ask({ keep: true });
      } else if (event.key === "ArrowUp" && !options.hidden && count) {
        event.preventDefault();
        highlight((active - 1 + count) % count);
      } else if (event.key === "Enter" && !options.hidden && active >= 0) {
        event.preventDefault(); // Enter picks; the next Enter submits the form
        choose(active);
      } else if (event.key === "Escape" && !options.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  document.querySelectorAll("[data-place-lookup]").forEach(setUp);
})();
