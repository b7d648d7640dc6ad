// Search page behaviour: "/" focuses the search box; "copy" buttons copy a citation.
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("q");
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
  if (event.key === "/" && box && !typing) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy).textContent.trim();
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard access can be refused (no secure context): select the text for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(button.dataset.copy));
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
  }
  button.textContent = button.dataset.copied;
});

// Autocomplete: fill the search box's datalist from /api/suggest as the user types.
(() => {
  const box = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!box || !list) return;
  let timer;
  box.addEventListener("input", () => {
    clearTimeout(timer);
    const words = box.value.split(/\s+/);
    const prefix = words[words.length - 1];
    if (!prefix) return;
    timer = setTimeout(async () => {
      const url = new URL(box.dataset.suggest, window.location.href);
      url.searchParams.set("q", prefix);
      const answer = await fetch(url);
      if (!answer.ok) return;
      const { suggestions } = await answer.json();
      const head = words.slice(0, -1).join(" ");
      list.replaceChildren(...suggestions.map((item) => {
        const option = document.createElement("option");
        option.value = (head ? head + " " : "") + item.text;
        if (item.zh !== item.text) option.label = item.zh;
        return option;
      }));
    }, 150);
  });
})();

// Results page: copy a result's citation in the chosen style; select results to export.
(() => {
  const style = document.getElementById("cite-style");
  const STYLE_KEY = "shuangyu.citeStyle";
  if (style) {
    // The reader's last choice of style is kept for the next page of results.
    const saved = localStorage.getItem(STYLE_KEY);
    if (saved && [...style.options].some((option) => option.value === saved)) style.value = saved;
    style.addEventListener("change", () => localStorage.setItem(STYLE_KEY, style.value));
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.copy-citation");
    if (!button) return;
    const chosen = style ? style.value : "gb_t_7714";
    const text = button.getAttribute("data-cite-" + chosen.replaceAll("_", "-")) || "";
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = button.dataset.copied;
    } catch {
      // Clipboard access can be refused (no secure context): show the citation selected for Ctrl+C.
      let shown = button.parentElement.querySelector("textarea.citation-shown");
      if (!shown) {
        const note = document.createElement("span");
        note.className = "copy-note";
        note.setAttribute("role", "status");
        note.textContent = button.dataset.failed;
        shown = document.createElement("textarea");
        shown.className = "citation-shown";
        shown.readOnly = true;
        shown.setAttribute("aria-label", button.dataset.failed);
        button.parentElement.append(note, shown);
      }
      shown.value = text;
      shown.select();
    }
    setTimeout(() => { button.textContent = button.dataset.label; }, 2000);
  });

  const form = document.getElementById("export");
  if (!form) return;
  // The selection lives in the tab's session storage, so that results checked on one page of
  // results (or one search) stay checked on the next, and are exported together.
  const SELECTION_KEY = "shuangyu-selection";
  const MAX_SELECTED = Number(form.dataset.max) || 100;
  let selection;
  try {
    selection = new Set(JSON.parse(sessionStorage.getItem(SELECTION_KEY) || "[]").filter((id) => typeof id === "string"));
  } catch {
    selection = new Set();
  }
  const save = () => {
    try { sessionStorage.setItem(SELECTION_KEY, JSON.stringify([...selection])); } catch { /* storage refused: this page only */ }
  };
  const boxes = () => [...document.querySelectorAll("input.select[form=export]")];
  const all = document.getElementById("select-all");
  const counter = document.getElementById("selected-count");
  const exportButton = document.getElementById("export-button");
  const clear = document.getElementById("clear-selection");
  const template = counter.dataset.template;
  const update = () => {
    const onPage = boxes().filter((box) => box.checked).length;
    counter.textContent = selection.size ? template.replace("{n}", selection.size) : "";
    clear.hidden = selection.size === 0;
    all.checked = onPage > 0 && onPage === boxes().length;
    all.indeterminate = onPage > 0 && onPage < boxes().length;
  };
  const choose = (box, checked) => {
    if (checked && !selection.has(box.value) && selection.size >= MAX_SELECTED) {
      box.checked = false;  // the export takes at most MAX_SELECTED passages at a time
      counter.textContent = form.dataset.full;
      return false;
    }
    box.checked = checked;
    if (checked) selection.add(box.value); else selection.delete(box.value);
    return true;
  };
  boxes().forEach((box) => { box.checked = selection.has(box.value); });
  all.addEventListener("change", () => {
    const full = !boxes().every((box) => choose(box, all.checked));
    save();
    update();
    if (full) counter.textContent = form.dataset.full;
  });
  document.addEventListener("change", (event) => {
    if (!event.target.matches("input.select[form=export]")) return;
    const taken = choose(event.target, event.target.checked);
    save();
    if (taken) update();
  });
  clear.addEventListener("click", () => {
    selection.clear();
    boxes().forEach((box) => { box.checked = false; });
    save();
    update();
  });
  form.addEventListener("submit", (event) => {
    form.querySelectorAll("input.carried").forEach((input) => input.remove());
    if (!selection.size) {
      // Nothing chosen: say so here instead of sending the API's error page.
      event.preventDefault();
      counter.textContent = exportButton.dataset.none;
      return;
    }
    // Results checked on other pages go with the form as hidden fields.
    const here = new Set(boxes().map((box) => box.value));
    for (const id of selection) {
      if (here.has(id)) continue;
      const input = Object.assign(document.createElement("input"), { type: "hidden", name: "ids", value: id, className: "carried" });
      form.append(input);
    }
  });
  update();
})();
