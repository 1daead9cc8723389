extension ReportWriter {
    static let script = """
    (function () {
      "use strict";
      var el = document.getElementById("report-data");
      var data = el ? JSON.parse(el.textContent) : { maps: {} };
      var select = document.getElementById("indicator");
      var paths = document.querySelectorAll("#terreinen path");
      function show(key) {
        var m = data.maps[key];
        if (!m) return;
        for (var i = 0; i < paths.length; i++) {
          var c = m.classes[parseInt(paths[i].getAttribute("data-i"), 10)];
          paths[i].setAttribute("fill", c >= 0 ? m.colors[c] : data.noData);
        }
        var legends = document.querySelectorAll(".legend[data-key]");
        for (var j = 0; j < legends.length; j++) legends[j].hidden = legends[j].getAttribute("data-key") !== key;
      }
      if (select) {
        select.addEventListener("change", function () { show(select.value); });
        show(select.value);
      }
      function sortBy(table, col, th) {
        var numeric = th.getAttribute("data-type") === "num";
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        var heads = table.tHead.rows[0].cells;
        for (var k = 0; k < heads.length; k++) heads[k].removeAttribute("aria-sort");
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (r, i) {
          var t = r.cells[col] ? r.cells[col].textContent : "";
          var empty = t === "" || (r.cells[col] && r.cells[col].querySelector("i"));
          return { row: r, i: i, empty: !!empty, v: numeric ? parseFloat(t) : t };
        });
        rows.sort(function (a, b) {
          if (a.empty !== b.empty) return a.empty ? 1 : -1;
          var c = 0;
          if (!a.empty) {
            if (numeric) c = a.v - b.v;
            else c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
          }
          return c !== 0 ? dir * c : a.i - b.i;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (x) { frag.appendChild(x.row); });
        body.appendChild(frag);
      }
      var tables = document.querySelectorAll("table.sortable");
      Array.prototype.forEach.call(tables, function (table) {
        var heads = table.tHead.rows[0].cells;
        Array.prototype.forEach.call(heads, function (th, col) {
          th.addEventListener("click", function () { sortBy(table, col, th); });
          th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(table, col, th); });
        });
      });
    })();

    """
}
