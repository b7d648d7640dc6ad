// Shuangyu search widget: <div data-shuangyu></div> <script src="https://HOST/static/widget.js"></script>
// Turns each [data-shuangyu] element into a search box whose results come from HOST's JSON API.
// Attributes: data-query (searched at once), data-limit (results, 5 by default), data-lang
// ("zh" or "en": the widget's language; else the page's lang, else the browser's). Its look
// comes from HOST/static/widget.css, restyled by the host through --shuangyu-* custom properties.
(function () {
  const origin = new URL(document.currentScript.src).origin;

  const STRINGS = {
    zh: {
      label: "检索双语报告库",
      placeholder: "搜索报告（中文或英文）",
      search: "搜索",
      searching: "正在检索……",
      summary: (total, atLeast) => (atLeast ? `至少 ${total.toLocaleString("en")} 段` : `共 ${total} 段`),
      none: "没有找到匹配的段落，换个词试试。",
      instead: (query) => `（按拼写更正后的“${query}”检索）`,
      more: "在双语报告检索中查看全部结果",
      gloss: "词典逐词释义（非翻译）",
      translation: "机器翻译",
      blank: "请输入要检索的词。",
      refused: "这次检索无法进行，请换个说法再试。",
      busy: "检索太频繁了，请稍候再试。",
      unavailable: "暂时无法检索，请稍后再试。",
    },
    en: {
      label: "Search the Shuangyu reports",
      placeholder: "Search the reports (Chinese or English)",
      search: "Search",
      searching: "Searching…",
      summary: (total, atLeast) =>
        atLeast ? `${total.toLocaleString("en")}+ passages` : `${total} ${total === 1 ? "passage" : "passages"}`,
      none: "No passage matches: try other words.",
      instead: (query) => ` (showing results for the words spelt right: ${query})`,
      more: "See all results on Shuangyu",
      gloss: "dictionary gloss, not a translation",
      translation: "machine translation",
      blank: "Type a word or two to search.",
      refused: "This search could not be run: try other words.",
      busy: "Too many searches at once: try again in a moment.",
      unavailable: "Search is unavailable right now: try again later.",
    },
  };

  // The widget's language: its own data-lang, else the nearest lang attribute (the page's), else
  // the browser's; Chinese for any zh-*, English otherwise.
  function languageOf(host) {
    const asked = host.dataset.lang || (host.closest("[lang]") || {}).lang || navigator.language || "";
    return asked.toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  // One stylesheet link per page, whatever number of widgets it holds.
  function linkStylesheet() {
    const href = origin + "/static/widget.css";
    if ([...document.querySelectorAll("link[rel=stylesheet]")].some((link) => link.href === href)) return;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

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

  // A link to a Shuangyu page in the widget's language, opened in a new tab.
  function siteLink(className, path, params, text) {
    const url = new URL(path, origin);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const link = element("a", className, [text]);
    link.href = url.href;
    link.target = "_blank";
    link.rel = "noopener";
    return link;
  }

  // A title or heading in the widget's language: in English (the index's English of it, labelled
  // with the result's engine below, and with its own label where its engine is another) with the
  // Chinese beside it, else the Chinese alone.
  function bilingual(chinese, english, language, engine, resultEngine, strings) {
    const original = element("span", "shuangyu-original", [chinese]);
    original.lang = "zh-Hans";
    if (language !== "en" || !english) return [original];
    const label = engine === "gloss" ? strings.gloss : strings.translation;
    const translated = element("span", "shuangyu-english", [english]);
    translated.lang = "en";
    translated.title = label;
    translated.dataset.engine = engine || "";
    if (engine === resultEngine) return [translated, " ", original];
    return [translated, " ", element("span", "shuangyu-engine", [`(${label})`]), " ", original];
  }

  // One result, one link: the report's title leads to the passage's page (its permalink).
  function resultItem(result, strings, language) {
    const title = siteLink("shuangyu-title", result.url, { ui: language }, "");
    title.replaceChildren(...bilingual(result.report_title, result.report_title_en, language, result.report_title_engine,
                                         result.translation_engine, strings));
    const where = element("p", "shuangyu-where", [title]);
    if (result.section) {
      where.appendChild(element("span", "shuangyu-section", ["› ", ...bilingual(result.section, result.section_en, language, result.section_engine,
                                                                           result.translation_engine, strings)]));
    }
    const snippet = element("p", "shuangyu-snippet", [snippetNodes(result.snippet)]);
    snippet.lang = "zh-Hans";
    const engine = element("span", "shuangyu-engine", [result.translation_engine === "gloss" ? strings.gloss : strings.translation]);
    engine.lang = language === "zh" ? "zh-Hans" : "en";
    const english = element("p", "shuangyu-snippet-en", [snippetNodes(result.snippet_en), engine]);
    english.lang = "en";
    return element("li", "shuangyu-result", [where, snippet, english]);
  }

  // What a reader is told when no results come: a line in their language, never the API's text.
  function failure(strings, status) {
    if (status === 429) return strings.busy;
    if (status === 400) return strings.refused;
    return strings.unavailable;
  }

  function mount(host) {
    const language = languageOf(host);
    const strings = STRINGS[language];
    host.classList.add("shuangyu-widget");
    host.lang = language === "zh" ? "zh-Hans" : "en";
    const form = element("form", "shuangyu-form");
    form.setAttribute("role", "search");
    const input = element("input", "shuangyu-input");
    input.type = "search";
    input.name = "q";
    input.maxLength = 500;
    input.placeholder = host.dataset.placeholder || strings.placeholder;
    input.setAttribute("aria-label", strings.label);
    const button = element("button", "shuangyu-button", [strings.search]);
    button.type = "submit";
    form.append(input, button);
    // The summary, or why there are no results, is announced by screen readers as it changes.
    const status = element("p", "shuangyu-status");
    status.setAttribute("role", "status");
    const list = element("ol", "shuangyu-list");
    const more = element("p", "shuangyu-more");
    host.append(form, status, list, more);

    function show(text, isError) {
      status.textContent = text;
      status.classList.toggle("shuangyu-error", Boolean(isError));
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      list.replaceChildren();
      more.replaceChildren();
      const query = input.value.trim();
      if (!query) {
        show(strings.blank, true);
        return;
      }
      show(strings.searching);
      const url = new URL("/api/search", origin);
      url.searchParams.set("q", query);
      url.searchParams.set("limit", host.dataset.limit || "5");
      let answer, body;
      try {
        answer = await fetch(url);
        body = answer.ok ? await answer.json() : null;
      } catch {
        show(strings.unavailable, true);
        return;
      }
      if (!answer.ok) {
        show(failure(strings, answer.status), true);
        return;
      }
      const instead = body.searched_instead ? strings.instead(body.searched_instead) : "";
      show(body.total ? strings.summary(body.total, body.total_relation === "gte") + instead : strings.none);
      list.replaceChildren(...body.results.map((result) => resultItem(result, strings, language)));
      if (body.total) more.appendChild(siteLink("shuangyu-more-link", "/", { q: query, ui: language }, strings.more));
    });
    if (host.dataset.query) {
      input.value = host.dataset.query;
      form.requestSubmit();
    }
  }

  linkStylesheet();
  document.querySelectorAll("[data-shuangyu]").forEach(mount);
})();
