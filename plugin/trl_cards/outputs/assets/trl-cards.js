// mkdocs-trl-cards: filter the card tables by text, phase, owner, reviewer, tag and flag, and
// sort them by any column. The state lives in the page's URL (?q=...&owner=...&sort=-level),
// so a view survives a reload and can be shared. Without this script the tables are plain
// HTML, every card shown in id order (a long table: its first rows, and the data of the rest,
// which the script shows a page at a time). No dependencies. It also lets the keyboard reach a box
// that scrolls sideways.
(function () {
  // A card table's row, as the filter, the sort and the summary read it: from the row's own
  // attributes, or from the table's data (`pages.table_data`) for a row the page's HTML does
  // not hold, whose element is made only when it is shown.
  function fromElement(tr, heads, index) {
    var attrs = {}, sort = {};
    Array.prototype.forEach.call(tr.attributes, function (a) {
      if (a.name.indexOf("data-") === 0) attrs[a.name.slice(5)] = a.value;
    });
    heads.forEach(function (h, i) {
      var td = tr.children[i];
      sort[h.dataset.sortKey] = td ? td.getAttribute("data-sort") || "" : "";
    });
    return { attrs: attrs, sort: sort, el: tr, values: null, index: index };
  }
  function fromData(v, data, index) {
    // v: id, name, repository, level, owners, reviewers, tags, flags, changed, its full
    // time, the phase at the last quarter end (null where not asked), and the stage of the
    // format's own scale ("" for a TRL card).
    var attrs = {
      phase: data.levels[v[3]][0],
      owners: (v[4].length ? v[4] : [data.noOwner]).join("|"),
      reviewers: v[5].join("|"), tags: v[6].join("|"), flags: v[7].join("|"),
      search: [v[0], v[1]].concat(v[4].length ? v[4] : [data.noOwner], v[6]).join(" ").toLowerCase()
    };
    if (v[2]) attrs.repository = v[2];
    if (v[10] !== null) attrs.was = v[10];
    var sort = { id: v[0], name: v[1], repository: v[2], level: String(v[3]),
      owners: v[4].join(", "), tags: v[6].join(", "), changed: v[8] };
    return { attrs: attrs, sort: sort, el: null, values: v, index: index };
  }
  // The row of `partials/card_table.html`, made with the DOM (no markup is parsed: every
  // value is text or an attribute).
  function makeRow(v, data) {
    function el(tag, attrs, text) {
      var e = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function td(label, sort) { return el("td", { "data-sort": sort, "data-label": label }); }
    var tr = document.createElement("tr"), href = data.card[0] + v[0] + data.card[1];
    var cell = td("Id", v[0]), link = el("a", { href: href });
    link.appendChild(el("code", {}, v[0])); cell.appendChild(link); tr.appendChild(cell);
    cell = td("Name", v[1]); cell.appendChild(el("a", { href: href }, v[1])); tr.appendChild(cell);
    if (data.repository) tr.appendChild(el("td", { "data-sort": v[2], "data-label": "Repository" }, v[2]));
    var level = data.levels[v[3]];
    cell = td("Level", String(v[3]));
    cell.appendChild(el("span", { "class": "trl-level trl-phase-" + level[0], title: level[1] }, String(v[3])));
    if (v[11]) {  // the stage of the format's own scale
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(el("span", { "class": "trl-stage" }, v[11]));
    }
    v[7].forEach(function (f) {
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(el("span", { "class": "trl-flag trl-flag-" + f }, data.flags[f]));
    });
    tr.appendChild(cell);
    tr.appendChild(el("td", { "data-sort": v[4].join(", "), "data-label": "Owners" }, v[4].join(", ")));
    cell = td("Tags", v[6].join(", "));
    v[6].forEach(function (t, i) {
      if (i) cell.appendChild(document.createTextNode(", "));
      cell.appendChild(el("a", { "class": "trl-tag", href: data.tags[t] }, t));
    });
    tr.appendChild(cell);
    cell = td("Last change", v[8]);
    if (v[8]) cell.appendChild(el("time", { datetime: v[8], title: v[9] }, v[8].slice(0, 10)));
    tr.appendChild(cell);
    return tr;
  }

  // The element of a table's block that matches `selector`: in the box, or just after it.
  function near(box, selector) {
    var found = box.querySelector(selector);
    for (var e = box.nextElementSibling; !found && e && !e.matches(".trl-filter"); e = e.nextElementSibling) {
      if (e.matches(selector)) found = e;
    }
    return found;
  }

  function setUp(root) {
    root.querySelectorAll(".trl-filter").forEach(function (bar) {
      if (bar.dataset.ready) return;
      bar.dataset.ready = "1";
      var box = bar.nextElementSibling;
      var text = bar.querySelector(".trl-filter-text");
      var selects = Array.prototype.slice.call(bar.querySelectorAll(".trl-filter-select"));
      var count = bar.querySelector(".trl-filter-count");
      var controls = [text].concat(selects);
      var body = box.querySelector("tbody");
      var heads = Array.prototype.slice.call(box.querySelectorAll("th[data-sort-key]"));
      var sort = "";  // a header's key, "-" first for descending; "" is the page's own order
      var island = near(box, "script.trl-rows");
      var data = island ? JSON.parse(island.textContent) : null;
      var rows = Array.prototype.map.call(body.querySelectorAll("tr"), function (tr, i) {
        return fromElement(tr, heads, i);
      });
      var page = Infinity, limit = Infinity, shown = [];
      var more = null;
      if (data) {
        // The page holds the first rows; the data holds every one, the first included.
        page = limit = rows.length;
        rows = data.rows.map(function (v, i) {
          return i < rows.length ? (rows[i].values = v, rows[i]) : fromData(v, data, i);
        });
        more = document.createElement("button");
        more.type = "button";
        more.className = "trl-show-more md-button";
        more.addEventListener("click", function () { limit += page; show(); });
        var note = near(box, "[data-trl-more]");
        note.textContent = "";
        note.appendChild(more);
      }

      function compare(a, b) {
        var na = Number(a), nb = Number(b);
        if (a !== "" && b !== "" && !isNaN(na) && !isNaN(nb)) return na - nb;
        if (a === "" || b === "") return a === "" ? (b === "" ? 0 : 1) : -1;  // empty last
        return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
      }
      function ordered(list) {
        var key = sort.replace(/^-/, ""), down = sort.charAt(0) === "-";
        if (!key) return list;
        return list.slice().sort(function (a, b) {
          var by = compare(a.sort[key] || "", b.sort[key] || "");
          return (down ? -by : by) || a.index - b.index;
        });
      }
      function show() {
        var list = ordered(shown), n = Math.min(list.length, limit);
        var fragment = document.createDocumentFragment();
        for (var i = 0; i < n; i++) {
          if (!list[i].el) list[i].el = makeRow(list[i].values, data);
          fragment.appendChild(list[i].el);
        }
        body.textContent = "";
        body.appendChild(fragment);
        count.textContent = n === list.length || list.length === rows.length
          ? n + " of " + rows.length + " shown"
          : n + " of " + list.length + " matching shown, " + rows.length + " in all";
        if (more) {
          more.hidden = n >= list.length;
          more.textContent = "Show " + Math.min(page, list.length - n) + " more";
        }
        var key = sort.replace(/^-/, ""), down = sort.charAt(0) === "-";
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
          show(); save();
        });
      });

      function matches(row, select) {
        if (!select.value) return true;
        var value = row.attrs[select.dataset.attr] || "";
        return select.hasAttribute("data-list") ? value.split("|").indexOf(select.value) !== -1
          : value === select.value;
      }
      function apply() {
        var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
        shown = rows.filter(function (row) {
          var hay = row.attrs.search || "";
          return selects.every(function (s) { return matches(row, s); }) &&
            words.every(function (w) { return hay.indexOf(w) !== -1; });
        });
        limit = page;
        show();
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
      add(phases, row.attrs.phase);
      add(was, row.attrs.was);
      (row.attrs.flags || "").split("|").forEach(function (f) { add(flags, f); });
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
