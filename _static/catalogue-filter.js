// Filters for the resource catalogue. Without JavaScript every entry is shown; with it, readers
// can narrow the list by topic, audience and format. Entries carry their values as classes
// (topic-..., audience-..., format-...); window.catalogueLabels maps each class to its label.
(function () {
  "use strict";
  function init() {
    var entries = Array.prototype.slice.call(document.querySelectorAll(".catalogue-entry"));
    if (!entries.length) return;
    var labels = window.catalogueLabels || {};
    var kinds = [["topic", "Topic"], ["audience", "Audience"], ["format", "Format"]];
    var form = document.createElement("form");
    form.className = "catalogue-filter";
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Filter the catalogue");
    var selects = {};
    kinds.forEach(function (kind) {
      var prefix = kind[0] + "-";
      var found = {};
      entries.forEach(function (e) {
        e.classList.forEach(function (c) { if (c.indexOf(prefix) === 0) found[c] = labels[c] || c.slice(prefix.length).replace(/-/g, " "); });
      });
      var label = document.createElement("label");
      label.textContent = kind[1] + " ";
      var select = document.createElement("select");
      select.name = kind[0];
      var all = document.createElement("option");
      all.value = ""; all.textContent = "All";
      select.appendChild(all);
      Object.keys(found).sort(function (a, b) { return found[a].localeCompare(found[b]); }).forEach(function (c) {
        var o = document.createElement("option");
        o.value = c; o.textContent = found[c];
        select.appendChild(o);
      });
      label.appendChild(select);
      form.appendChild(label);
      selects[kind[0]] = select;
    });
    var status = document.createElement("p");
    status.className = "catalogue-filter-status";
    status.setAttribute("aria-live", "polite");
    form.appendChild(status);
    function apply() {
      var shown = 0;
      entries.forEach(function (e) {
        var ok = Object.keys(selects).every(function (k) { var v = selects[k].value; return !v || e.classList.contains(v); });
        e.hidden = !ok;
        var target = e.previousElementSibling;
        if (target && target.tagName === "SPAN" && !target.textContent) target.hidden = !ok;
        if (ok) shown += 1;
      });
      status.textContent = "Showing " + shown + " of " + entries.length + " resources.";
    }
    form.addEventListener("change", apply);
    entries[0].parentNode.insertBefore(form, entries[0].previousElementSibling || entries[0]);
    apply();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
