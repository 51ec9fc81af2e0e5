// mkdocs-trl-cards: filter the component tables by text and phase. No dependencies.
(function () {
  function setUp(root) {
    root.querySelectorAll(".trl-filter").forEach(function (bar) {
      if (bar.dataset.ready) return;
      bar.dataset.ready = "1";
      var table = bar.nextElementSibling;
      var text = bar.querySelector(".trl-filter-text");
      var phase = bar.querySelector(".trl-filter-phase");
      var count = bar.querySelector(".trl-filter-count");
      var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
      function apply() {
        var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        rows.forEach(function (row) {
          var hay = row.getAttribute("data-search") || "";
          var ok = (!phase.value || row.getAttribute("data-phase") === phase.value) &&
            words.every(function (w) { return hay.indexOf(w) !== -1; });
          row.hidden = !ok;
          if (ok) shown += 1;
        });
        count.textContent = shown + " of " + rows.length + " shown";
      }
      text.addEventListener("input", apply);
      phase.addEventListener("change", apply);
      // After Back, the browser restores the controls' values once this has run: apply again.
      window.addEventListener("pageshow", apply);
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
