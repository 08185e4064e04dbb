// The scorecard, for a day of scoring (templates/evaluation/scorecard/scorecard.html).
// - Each score and comment is saved as it is left (POST to data-save-url, JSON back: the error for that indicator,
//   or what was saved with the new subtotals, the total and what is still missing). "Saved hh:mm" per indicator.
// - Keyboard: Enter or ArrowDown goes to the next score, Shift+Enter or ArrowUp to the previous one; in a score,
//   A accepts the suggestion and goes on, C goes to the comment, E opens the evidence picker; in a comment, Enter goes
//   to the next score (Shift+Enter is a new line) and Esc back to its score. A score that differs from the suggestion
//   with no comment yet sends Enter to the comment, which the rule requires.
// - The evidence picker searches the station's records, cases and attachments of the evaluated year, links one to
//   the indicator, or uploads a file and links it. Removing evidence works the same way.
// Without this script the page is one form posting every score, and removal and upload are plain forms.
(function () {
  "use strict";

  const form = document.getElementById("scorecard-form");
  if (!form || form.dataset.editable !== "1") return;

  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const labels = form.dataset;
  const COMMENT_DELAY_MS = 800;
  const SEARCH_DELAY_MS = 250;

  const lastSent = new Map(); // indicator id -> "score\u0000comment" as last sent (or as the page came)
  const asked = new Map(); // indicator id -> number of the latest save sent (older answers are dropped)
  const pending = new Set();
  const commentTimers = new Map();

  function scoreInputs() {
    return Array.from(form.querySelectorAll("input[data-score]"));
  }

  function indicatorOf(element) {
    return element.closest("[data-indicator]");
  }

  function parts(card) {
    const id = card.dataset.indicator;
    return {
      id,
      card,
      score: card.querySelector("input[data-score]"),
      comment: card.querySelector("textarea[data-comment]"),
      saved: card.querySelector("[data-saved]"),
      error: card.querySelector("[data-error]"),
      suggested: card.dataset.suggested,
    };
  }

  function state(p) {
    return `${p.score.value.trim()}\u0000${p.comment.value.trim()}`;
  }

  function request(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      body,
      credentials: "same-origin",
    }).then(
      (response) =>
        response
          .json()
          .catch(() => ({ ok: false, errors: [labels.failedLabel] }))
          .then((json) => ({ status: response.status, json })),
      () => ({ status: 0, json: { ok: false, errors: [labels.failedLabel] } }),
    );
  }

  // --- saving ---------------------------------------------------------------------------------------------

  function showError(p, errors) {
    p.error.textContent = errors.join(" ");
    p.score.classList.toggle("is-invalid", errors.length > 0);
    p.card.classList.toggle("portal-indicator-error", errors.length > 0);
  }

  function showSheet(json) {
    Object.entries(json.subtotals || {}).forEach(([dimension, subtotal]) => {
      const cell = document.querySelector(`[data-subtotal="${dimension}"]`);
      if (cell) cell.textContent = subtotal;
    });
    document.querySelectorAll("[data-total]").forEach((cell) => (cell.textContent = json.total));
    document.querySelectorAll("[data-scored]").forEach((cell) => (cell.textContent = json.scored));
    const bar = document.querySelector("[data-progress-bar]");
    if (bar) {
      bar.setAttribute("aria-valuenow", json.scored);
      bar.firstElementChild.style.width = `${json.indicators ? (100 * json.scored) / json.indicators : 0}%`;
    }
    const list = document.querySelector("[data-missing]");
    if (list) {
      list.replaceChildren(
        ...json.missing.map((indicator) => {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = `#indicator-${indicator.id}`;
          link.dataset.jump = indicator.id;
          const code = document.createElement("span");
          code.className = "font-monospace";
          code.textContent = indicator.code;
          link.append(code, document.createTextNode(` ${indicator.name}`));
          item.append(link);
          return item;
        }),
      );
      document.getElementById("missing").hidden = json.missing.length === 0;
      document.getElementById("all-scored").hidden = json.missing.length !== 0;
      document.getElementById("submit-button").disabled = json.missing.length !== 0;
    }
  }

  function save(p) {
    const now = state(p);
    if (lastSent.get(p.id) === now) return Promise.resolve();
    lastSent.set(p.id, now);
    const number = (asked.get(p.id) || 0) + 1;
    asked.set(p.id, number);
    p.saved.textContent = labels.savingLabel;
    const body = new URLSearchParams({ indicator: p.id, score: p.score.value.trim(), comment: p.comment.value.trim() });
    const sent = request(labels.saveUrl, body).then(({ status, json }) => {
      if (asked.get(p.id) !== number) return; // a later save of this indicator is on its way
      if (json.ok) {
        if (state(p) === now) {
          p.score.value = json.score; // "4" is stored as "4.0"
          lastSent.set(p.id, state(p));
        }
        p.saved.textContent = `${labels.savedLabel} ${json.saved_at}`;
        showError(p, []);
        showSheet(json);
      } else {
        if (status === 0 || status >= 500) lastSent.delete(p.id); // not stored: the same value may be sent again
        p.saved.textContent = "";
        showError(p, json.errors || [labels.failedLabel]);
      }
    });
    pending.add(sent);
    sent.finally(() => pending.delete(sent));
    return sent;
  }

  function needsComment(p) {
    const value = p.score.value.trim();
    return (
      p.suggested !== "" && value !== "" && Number(value) !== Number(p.suggested) && p.comment.value.trim() === ""
    );
  }

  // --- moving ---------------------------------------------------------------------------------------------

  function focusScore(input) {
    if (!input) {
      // Past the last score: the submit button, once the saves in flight have enabled it.
      const submit = document.getElementById("submit-button");
      if (submit) Promise.all([...pending]).then(() => submit.focus());
      return;
    }
    input.focus();
    input.select();
    input.scrollIntoView({ block: "center", behavior: "instant" });
  }

  function neighbour(input, step) {
    const all = scoreInputs();
    return all[all.indexOf(input) + step];
  }

  function accept(p) {
    if (p.suggested === "") return;
    p.score.value = p.suggested;
    save(p);
  }

  form.addEventListener("keydown", (event) => {
    const target = event.target;
    const card = indicatorOf(target);
    if (!card || event.isComposing) return;
    const p = parts(card);
    if (target === p.score) {
      const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
      if (event.key === "Enter" || event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        save(p);
        const back = event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey);
        if (!back && event.key === "Enter" && needsComment(p)) {
          p.comment.focus();
          return;
        }
        focusScore(neighbour(p.score, back ? -1 : 1));
      } else if (plain && (event.key === "a" || event.key === "A")) {
        event.preventDefault();
        accept(p);
        focusScore(neighbour(p.score, 1));
      } else if (plain && (event.key === "c" || event.key === "C")) {
        event.preventDefault();
        p.comment.focus();
      } else if (plain && (event.key === "e" || event.key === "E")) {
        event.preventDefault();
        openPicker(card);
      }
    } else if (target === p.comment) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        save(p);
        focusScore(neighbour(p.score, 1));
      } else if (event.key === "Escape") {
        event.preventDefault();
        focusScore(p.score);
      }
    }
  });

  form.addEventListener("change", (event) => {
    const card = indicatorOf(event.target);
    if (card) save(parts(card));
  });

  form.addEventListener("input", (event) => {
    const card = indicatorOf(event.target);
    if (!card || !event.target.matches("textarea[data-comment]")) return;
    const p = parts(card);
    clearTimeout(commentTimers.get(p.id));
    commentTimers.set(
      p.id,
      setTimeout(() => save(p), COMMENT_DELAY_MS),
    );
  });

  form.addEventListener("click", (event) => {
    const acceptButton = event.target.closest("[data-accept]");
    if (acceptButton) {
      const p = parts(indicatorOf(acceptButton));
      accept(p);
      focusScore(p.score);
      return;
    }
    const pickerButton = event.target.closest("[data-open-picker]");
    if (pickerButton) openPicker(indicatorOf(pickerButton));
  });

  document.addEventListener("click", (event) => {
    const jump = event.target.closest("[data-jump]");
    if (!jump) return;
    const card = document.getElementById(`indicator-${jump.dataset.jump}`);
    if (!card) return;
    event.preventDefault();
    focusScore(parts(card).score);
  });

  // Hand in only once every change is stored.
  const submitForm = document.getElementById("submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const saves = Array.from(form.querySelectorAll("[data-indicator]")).map((card) => save(parts(card)));
      Promise.all([...saves, ...pending]).then(() => submitForm.submit());
    });
  }

  form.querySelectorAll("[data-indicator]").forEach((card) => {
    const p = parts(card);
    lastSent.set(p.id, state(p));
  });
  form.querySelectorAll("[data-accept], [data-open-picker]").forEach((element) => (element.hidden = false));

  // --- evidence -------------------------------------------------------------------------------------------

  function evidenceItem(evidence) {
    const item = document.createElement("li");
    item.className = "list-inline-item badge text-bg-light border fw-normal portal-evidence-item";
    item.dataset.evidence = evidence.id;
    const kind = document.createElement("span");
    kind.className = "text-body-secondary";
    kind.textContent = evidence.kind_label;
    const link = document.createElement("a");
    link.href = evidence.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = evidence.label;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close btn-close-sm ms-1";
    remove.dataset.remove = evidence.remove_url;
    remove.setAttribute("aria-label", `${labels.removeLabel} ${evidence.label}`);
    item.append(kind, document.createTextNode(" "), link, remove);
    return item;
  }

  function showEvidence(scoreId, evidence) {
    const list = document.querySelector(`[data-evidence-list="${scoreId}"]`);
    if (!list) return;
    list.querySelector("[data-no-evidence]")?.remove();
    list.append(evidenceItem(evidence));
  }

  document.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove]");
    if (!remove) return;
    event.preventDefault();
    request(remove.dataset.remove, new URLSearchParams()).then(({ json }) => {
      if (!json.ok) return;
      const item = remove.closest("[data-evidence]");
      const list = item.parentElement;
      item.remove();
      if (!list.querySelector("[data-evidence]")) {
        const none = document.createElement("li");
        none.className = "list-inline-item text-body-secondary";
        none.dataset.noEvidence = "";
        none.textContent = "—";
        list.append(none);
      }
    });
  });

  const pickerElement = document.getElementById("evidence-picker");
  const picker = pickerElement && window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(pickerElement) : null;
  const query = document.getElementById("picker-query");
  const results = document.getElementById("picker-results");
  const pickerError = pickerElement?.querySelector("[data-picker-error]");
  let current = null; // the indicator card the picker links to
  let page = 1;
  let pages = 1;
  let searchTimer = null;
  let searches = 0;

  function pickerKind() {
    return pickerElement.querySelector("input[name=picker-kind]:checked").value;
  }

  function openPicker(card) {
    if (!picker) return;
    current = card;
    pickerElement.querySelector("[data-picker-indicator]").textContent = card.querySelector("h3").textContent.trim();
    pickerError.textContent = "";
    query.value = "";
    page = 1;
    search();
    picker.show();
  }

  function search() {
    const kind = pickerKind();
    const uploading = kind === "file";
    pickerElement.querySelector("[data-picker-search-pane]").hidden = uploading;
    pickerElement.querySelector("[data-picker-upload-pane]").hidden = !uploading;
    if (uploading) return;
    const number = ++searches;
    const url = `${labels.searchUrl}?${new URLSearchParams({ kind, q: query.value.trim(), page })}`;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((json) => {
        if (number !== searches) return;
        if (!json.ok) {
          pickerError.textContent = (json.errors || []).join(" ");
          return;
        }
        page = json.page;
        pages = json.pages;
        showResults(kind, json.results);
        pickerElement.querySelector("[data-picker-page]").textContent =
          `${labels.pageLabel} ${json.page} / ${json.pages} · ${json.count}`;
        pickerElement.querySelector("[data-picker-prev]").disabled = page <= 1;
        pickerElement.querySelector("[data-picker-next]").disabled = page >= pages;
      })
      .catch(() => (pickerError.textContent = labels.failedLabel));
  }

  function showResults(kind, rows) {
    results.replaceChildren();
    if (!rows.length) {
      const none = document.createElement("li");
      none.className = "list-group-item small text-body-secondary";
      none.textContent = labels.noneLabel;
      results.append(none);
    }
    rows.forEach((row) => {
      const item = document.createElement("li");
      item.className = "list-group-item d-flex justify-content-between align-items-center gap-3";
      const text = document.createElement("div");
      const title = document.createElement("a");
      title.href = row.url;
      title.target = "_blank";
      title.rel = "noopener";
      title.textContent = row.title;
      const detail = document.createElement("div");
      detail.className = "small text-body-secondary";
      detail.textContent = row.detail;
      text.append(title, detail);
      const link = document.createElement("button");
      link.type = "button";
      link.className = "btn btn-sm btn-outline-primary text-nowrap";
      link.textContent = labels.linkLabel;
      link.dataset.link = row.id;
      link.dataset.kind = kind;
      item.append(text, link);
      results.append(item);
    });
  }

  if (pickerElement) {
    query.addEventListener("input", () => {
      clearTimeout(searchTimer);
      page = 1;
      searchTimer = setTimeout(search, SEARCH_DELAY_MS);
    });
    query.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "Enter") {
        const first = results.querySelector("[data-link]");
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
    });
    results.addEventListener("keydown", (event) => {
      const buttons = Array.from(results.querySelectorAll("[data-link]"));
      const at = buttons.indexOf(event.target);
      if (at < 0) return;
      if (event.key === "ArrowDown" && buttons[at + 1]) {
        event.preventDefault();
        buttons[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (buttons[at - 1] || query).focus();
      }
    });
    pickerElement.querySelectorAll("input[name=picker-kind]").forEach((radio) =>
      radio.addEventListener("change", () => {
        page = 1;
        search();
      }),
    );
    pickerElement.querySelector("[data-picker-prev]").addEventListener("click", () => {
      page = Math.max(1, page - 1);
      search();
    });
    pickerElement.querySelector("[data-picker-next]").addEventListener("click", () => {
      page = Math.min(pages, page + 1);
      search();
    });
    results.addEventListener("click", (event) => {
      const button = event.target.closest("[data-link]");
      if (!button || !current) return;
      const scoreId = current.dataset.scoreId;
      const body = new URLSearchParams({ score: scoreId, kind: button.dataset.kind, target: button.dataset.link });
      button.disabled = true;
      request(labels.addUrl, body).then(({ json }) => {
        if (json.ok) {
          showEvidence(scoreId, json.evidence);
          button.classList.replace("btn-outline-primary", "btn-success");
          pickerError.textContent = "";
          query.focus(); // the linked button is disabled now: keep the focus in the picker (Esc closes it)
        } else {
          button.disabled = false;
          pickerError.textContent = (json.errors || []).join(" ");
        }
      });
    });
    pickerElement.querySelector("[data-picker-upload]").addEventListener("click", () => {
      const file = document.getElementById("picker-file").files[0];
      if (!file || !current) return;
      const scoreId = current.dataset.scoreId;
      const body = new FormData();
      body.append("upload", file);
      body.append("score", scoreId);
      request(labels.uploadUrl, body).then(({ json }) => {
        if (!json.ok) {
          pickerError.textContent = (json.errors || []).join(" ");
          return;
        }
        if (json.evidence) showEvidence(scoreId, json.evidence);
        const files = document.querySelector("[data-files]");
        files.querySelector("[data-no-files]")?.remove();
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = json.evidence ? json.evidence.url : "#files";
        link.textContent = json.file.name;
        item.append(link);
        files.append(item);
        document.getElementById("picker-file").value = "";
        picker.hide();
      });
    });
    pickerElement.addEventListener("shown.bs.modal", () => query.focus());
    pickerElement.addEventListener("hidden.bs.modal", () => {
      if (current) focusScore(parts(current).score);
    });
  }
})();
