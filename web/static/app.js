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
  const boxes = () => [...document.querySelectorAll("input.select[form=export]")];
  const all = document.getElementById("select-all");
  const counter = document.getElementById("selected-count");
  const exportButton = document.getElementById("export-button");
  const template = counter.dataset.template;
  const update = () => {
    const chosen = boxes().filter((box) => box.checked).length;
    counter.textContent = chosen ? template.replace("{n}", chosen) : "";
    all.checked = chosen > 0 && chosen === boxes().length;
    all.indeterminate = chosen > 0 && chosen < boxes().length;
  };
  all.addEventListener("change", () => {
    boxes().forEach((box) => { box.checked = all.checked; });
    update();
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches("input.select[form=export]")) update();
  });
  form.addEventListener("submit", (event) => {
    if (!boxes().some((box) => box.checked)) {
      // Nothing chosen: say so here instead of sending the API's error page.
      event.preventDefault();
      counter.textContent = exportButton.dataset.none;
    }
  });
  update();
})();
