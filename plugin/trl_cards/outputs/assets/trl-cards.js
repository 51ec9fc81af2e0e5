// mkdocs-trl-cards: filter the card tables by text, phase, owner, reviewer, tag and flag, and
// sort them by any column. The state lives in the page's URL (?q=...&owner=...&sort=-level),
// so a view survives a reload and can be shared. Without this script the tables are plain
// HTML, every card shown in id order. No dependencies. It also lets the keyboard reach a box
// that scrolls sideways.
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
        var shown = [];
        rows.forEach(function (row) {
          var hay = row.getAttribute("data-search") || "";
          var ok = selects.every(function (s) { return matches(row, s); }) &&
            words.every(function (w) { return hay.indexOf(w) !== -1; });
          row.hidden = !ok;
          if (ok) shown.push(row);
        });
        count.textContent = shown.length + " of " + rows.length + " shown";
        summarise(root, shown, rows.length);
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
  // The dashboard's first screen counts what its components table shows: every number follows
  // the filter (phases, their share, their change since the last quarter end, the flags).
  function summarise(root, shown, all) {
    var summary = root.querySelector("[data-trl-summary]");
    if (!summary) return;
    var phases = {}, was = {}, flags = {};
    function add(counts, key) { if (key) counts[key] = (counts[key] || 0) + 1; }
    shown.forEach(function (row) {
      add(phases, row.getAttribute("data-phase"));
      add(was, row.getAttribute("data-was"));
      (row.getAttribute("data-flags") || "").split("|").forEach(function (f) { add(flags, f); });
    });
    function each(attr, write) {
      summary.querySelectorAll("[" + attr + "]").forEach(function (el) {
        write(el, el.getAttribute(attr));
      });
    }
    var total = shown.length;
    each("data-summary-total", function (el) { el.textContent = total; });
    each("data-summary-phase", function (el, key) { el.textContent = phases[key] || 0; });
    each("data-summary-share", function (el, key) {
      el.textContent = (total ? Math.round(100 * (phases[key] || 0) / total) : 0) + "%";
    });
    each("data-share-bar", function (el, key) {
      el.style.width = (total ? 100 * (phases[key] || 0) / total : 0) + "%";
    });
    each("data-summary-change", function (el, key) {
      var change = (phases[key] || 0) - (was[key] || 0);
      el.textContent = change > 0 ? "+" + change : change < 0 ? "\u2212" + (-change) : "no change";
    });
    each("data-summary-flag", function (el, key) {
      el.textContent = flags[key] || 0;
      el.closest(".trl-tile").classList.toggle("trl-tile-none", !flags[key]);
    });
    summary.querySelectorAll(".trl-summary-of").forEach(function (el) { el.hidden = total === all; });
  }

  // A box that scrolls sideways (a wide table or chart on a phone) takes the keyboard's focus,
  // so that the arrow keys scroll it (WCAG 2.1.1); a box that fits is no extra tab stop.
  function focusScrollers(root) {
    root.querySelectorAll(".trl-scroll, .trl-timeline").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    });
  }
  var resizing = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(function () { focusScrollers(document); });
  });
  function start() { setUp(document); focusScrollers(document); }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
