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
