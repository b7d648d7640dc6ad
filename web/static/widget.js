// Shuangyu search widget: <div data-shuangyu></div> <script src="https://HOST/static/widget.js"></script>
// Turns each [data-shuangyu] element into a search box whose results come from HOST's JSON API.
(function () {
  const origin = new URL(document.currentScript.src).origin;

  // Snippets are HTML in which everything is escaped except <mark>: rebuild them as DOM nodes
  // rather than trusting innerHTML.
  function snippetNodes(html) {
    const fragment = document.createDocumentFragment();
    const parts = html.split(/(<mark>|<\/mark>)/);
    let marked = false;
    const decoder = document.createElement("textarea");
    for (const part of parts) {
      if (part === "<mark>") { marked = true; continue; }
      if (part === "</mark>") { marked = false; continue; }
      decoder.innerHTML = part;
      const text = document.createTextNode(decoder.value);
      if (marked) {
        const mark = document.createElement("mark");
        mark.appendChild(text);
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(text);
      }
    }
    return fragment;
  }

  function element(tag, className, children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children || []) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    return node;
  }

  function render(list, response) {
    list.replaceChildren();
    list.appendChild(element("p", "shuangyu-summary", [`${response.total} passages`]));
    for (const result of response.results) {
      const link = element("a", "shuangyu-permalink", [result.id]);
      link.href = origin + result.url;
      link.target = "_blank";
      link.rel = "noopener";
      const label = result.translation_engine === "gloss" ? "dictionary gloss" : "machine translation";
      list.appendChild(element("div", "shuangyu-result", [
        element("p", "shuangyu-snippet", [snippetNodes(result.snippet)]),
        element("p", "shuangyu-snippet-en", [snippetNodes(result.snippet_en), element("small", "shuangyu-engine", [` (${label})`])]),
        element("p", "shuangyu-link", [link]),
      ]));
    }
  }

  function mount(host) {
    const form = element("form", "shuangyu-form");
    const input = element("input");
    input.type = "search";
    input.name = "q";
    input.placeholder = host.dataset.placeholder || "搜索 / Search";
    const button = element("button", null, ["搜索 Search"]);
    form.append(input, button);
    const list = element("div", "shuangyu-results");
    host.append(form, list);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const url = new URL("/api/search", origin);
      url.searchParams.set("q", input.value);
      url.searchParams.set("limit", host.dataset.limit || "5");
      const answer = await fetch(url);
      const body = await answer.json();
      if (!answer.ok) {
        list.replaceChildren(element("p", "shuangyu-error", [body.detail || "Search failed"]));
        return;
      }
      render(list, body);
    });
    if (host.dataset.query) {
      input.value = host.dataset.query;
      form.requestSubmit();
    }
  }

  document.querySelectorAll("[data-shuangyu]").forEach(mount);
})();
