/* Search-result snippets from the small per-page files _ext/handbook_search.py writes
   (_snippets/<page>.json), instead of downloading every matching page in full. Each file is
   fetched once, however many of its sections match. */
(() => {
  "use strict";
  const root = document.documentElement.dataset.content_root || "./";
  const words = (new URLSearchParams(location.search).get("q") || "")
    .toLowerCase().split(/\s+/).filter((w) => w.length > 1);
  const stemmer = typeof Stemmer === "function" ? new Stemmer() : null;
  const keys = [...new Set(words.flatMap((w) => [w, stemmer ? stemmer.stemWord(w) : w]))];
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = keys.length
    ? new RegExp("[\\w\u00C0-\u024F-]*(?:" + keys.map(escape).join("|") + ")[\\w\u00C0-\u024F-]*", "gi")
    : null;
  const files = new Map();
  // Opened from disk (the offline zip), a browser may not fetch files: results show without snippets.
  const offline = location.protocol === "file:";
  const load = (doc) => {
    if (offline) return Promise.resolve(null);
    if (!files.has(doc)) {
      files.set(doc, fetch(root + "_snippets/" + doc + ".json")
        .then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    return files.get(doc);
  };
  const around = (text) => {
    const lower = text.toLowerCase();
    const hits = keys.map((k) => lower.indexOf(k)).filter((i) => i > -1);
    const at = hits.length ? Math.min(...hits) : 0;
    const start = at > 100 ? text.lastIndexOf(" ", at - 80) + 1 : 0;
    let end = Math.min(text.length, start + 240);
    if (end < text.length && text.lastIndexOf(" ", end) > start) end = text.lastIndexOf(" ", end);
    return (start > 0 ? "\u2026 " : "") + text.slice(start, end).trim() + (end < text.length ? " \u2026" : "");
  };
  const paragraph = (text) => {
    const p = document.createElement("p");
    p.className = "context";
    let last = 0;
    if (pattern) {
      for (const m of text.matchAll(pattern)) {
        p.append(text.slice(last, m.index));
        const mark = document.createElement("span");
        mark.className = "highlighted";
        mark.textContent = m[0];
        p.append(mark);
        last = m.index + m[0].length;
      }
    }
    p.append(text.slice(last));
    return p;
  };
  const base = new URL(root, location.href).pathname;
  const show = (li) => {
    const link = li.querySelector("a");
    if (!link || li.dataset.snippet) return;
    li.dataset.snippet = "pending";
    const url = new URL(link.getAttribute("href"), location.href);
    const doc = decodeURIComponent(url.pathname.slice(base.length)).replace(/\.html$/, "");
    const anchor = decodeURIComponent(url.hash.slice(1));
    load(doc).then((data) => {
      if (!data) return;
      const text = data.s[anchor && anchor in data.a ? data.a[anchor] : 0];
      if (text) li.appendChild(paragraph(around(text)));
    });
  };
  const start = () => {
    const results = document.getElementById("search-results");
    if (!results) return;
    const update = () => results.querySelectorAll("ul.search > li").forEach(show);
    new MutationObserver(update).observe(results, { childList: true, subtree: true });
    update();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
