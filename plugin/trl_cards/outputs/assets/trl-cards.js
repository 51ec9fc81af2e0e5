// mkdocs-trl-cards: filter the card tables by text, phase, owner, reviewer, tag and flag, and
// sort them by any column. The state lives in the page's URL (?q=...&owner=...&sort=-level),
// so a view survives a reload and can be shared. Without this script the tables are plain
// HTML, every card shown in id order. No dependencies.
(function () {
  function setUp(root) {
    root.querySelectorAll(".trl-filter").forEach(function (bar) {
      if (bar.dataset.ready) return;
      bar.dataset.ready = "1";
      var box = bar.nextElementSibling;
      var text = bar.querySelector(".trl-filter-text");
      var selects = Array.prototype.slice.call(bar.querySelectorAll(".trl-filter-select"));
      var count = bar.querySelector(".trl-filter-count");
      var rows = Array.prototype.slice.call(box.querySelectorAll("tbody tr"));
      var controls = [text].concat(selects);
      var body = box.querySelector("tbody");
      var heads = Array.prototype.slice.call(box.querySelectorAll("th[data-sort-key]"));
      var sort = "";  // a header's key, "-" first for descending; "" is the page's own order
      var original = rows.slice();

      function cell(row, key) {
        var index = heads.findIndex(function (h) { return h.dataset.sortKey === key; });
        var td = row.children[index];
        return td ? td.getAttribute("data-sort") || "" : "";
      }
      function compare(a, b) {
        var na = Number(a), nb = Number(b);
        if (a !== "" && b !== "" && !isNaN(na) && !isNaN(nb)) return na - nb;
        if (a === "" || b === "") return a === "" ? (b === "" ? 0 : 1) : -1;  // empty last
        return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
      }
      function order() {
        var key = sort.replace(/^-/, ""), down = sort.charAt(0) === "-";
        var sorted = original.slice();
        if (key) {
          sorted.sort(function (a, b) {
            var by = compare(cell(a, key), cell(b, key));
            return (down ? -by : by) || original.indexOf(a) - original.indexOf(b);
          });
        }
        sorted.forEach(function (row) { body.appendChild(row); });
        heads.forEach(function (h) {
          if (h.dataset.sortKey === key) h.setAttribute("aria-sort", down ? "descending" : "ascending");
          else h.removeAttribute("aria-sort");
        });
      }
      heads.forEach(function (h) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "trl-sort";
        while (h.firstChild) button.appendChild(h.firstChild);
        h.appendChild(button);
        button.addEventListener("click", function () {
          var key = h.dataset.sortKey;
          sort = sort === key ? "-" + key : sort === "-" + key ? "" : key;
          order(); save();
        });
      });

      function matches(row, select) {
        if (!select.value) return true;
        var value = row.getAttribute("data-" + select.dataset.attr) || "";
        return select.hasAttribute("data-list") ? value.split("|").indexOf(select.value) !== -1
          : value === select.value;
      }
      function apply() {
        var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        rows.forEach(function (row) {
          var hay = row.getAttribute("data-search") || "";
          var ok = selects.every(function (s) { return matches(row, s); }) &&
            words.every(function (w) { return hay.indexOf(w) !== -1; });
          row.hidden = !ok;
          if (ok) shown += 1;
        });
        count.textContent = shown + " of " + rows.length + " shown";
      }
      function save() {
        var params = new URLSearchParams(window.location.search);
        controls.forEach(function (c) {
          if (c.value) params.set(c.dataset.key, c.value); else params.delete(c.dataset.key);
        });
        if (sort) params.set("sort", sort); else params.delete("sort");
        var query = params.toString();
        var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
        window.history.replaceState(window.history.state, "", url);
      }
      function load() {
        var params = new URLSearchParams(window.location.search);
        var asked = (params.get("sort") || "").replace(/^-/, "");
        if (heads.some(function (h) { return h.dataset.sortKey === asked; })) {
          sort = params.get("sort");
        }
        controls.forEach(function (c) {
          var value = params.get(c.dataset.key);
          if (value === null) return;
          if (c.tagName === "SELECT" && !Array.prototype.some.call(c.options, function (o) {
            return o.value === value;
          })) return;  // an owner who has left: show everyone rather than no one
          c.value = value;
        });
      }
      controls.forEach(function (c) {
        c.addEventListener(c === text ? "input" : "change", function () { apply(); save(); });
      });
      // After Back, the browser restores the controls' values once this has run: apply again.
      window.addEventListener("pageshow", apply);
      load();
      order();
      apply();
    });
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(function () { setUp(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
