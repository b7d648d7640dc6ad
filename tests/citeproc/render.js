// Renders CSL-JSON items with CSL styles through citeproc-js, the processor inside Zotero and
// Mendeley, for tests/search/test_citeproc.py. Offline: the styles and locales are files (tests/fixtures/csl).
//
// stdin:  {"styles": {"<name>": "<path to .csl>"}, "locales": "<folder of locales-*.xml>",
//          "items": [<CSL-JSON item>, ...]}
// stdout: {"<name>": {"<item id>": "<bibliography entry as HTML>"}, "_version": "<citeproc-js version>"}
//
// Each item is the only entry of its own bibliography, so that no entry is changed by another
// (numbering, disambiguation, "———" for a repeated author).
"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

function render(stylePath, localesFolder, items) {
    const byId = new Map(items.map((item) => [String(item.id), item]));
    const sys = {
        retrieveLocale: (lang) => {
            const file = path.join(localesFolder, `locales-${lang}.xml`);
            return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
        },
        retrieveItem: (id) => byId.get(String(id)),
    };
    const engine = new CSL.Engine(sys, fs.readFileSync(stylePath, "utf8"));
    const entries = {};
    for (const id of byId.keys()) {
        engine.updateItems([id]);
        const [meta, html] = engine.makeBibliography();
        if (meta.bibliography_errors.length) {
            throw new Error(`${path.basename(stylePath)}, ${id}: ${JSON.stringify(meta.bibliography_errors)}`);
        }
        entries[id] = html.join("");
    }
    return entries;
}

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const out = { _version: CSL.PROCESSOR_VERSION };
for (const [name, stylePath] of Object.entries(request.styles)) {
    out[name] = render(stylePath, request.locales, request.items);
}
process.stdout.write(JSON.stringify(out));
