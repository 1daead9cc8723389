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
      // Hover: the terrein's name and its values of the map's indicators; click: its profile.
      var tip = document.getElementById("tip");
      var group = document.getElementById("terreinen");
      function esc(t) { return String(t).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
      if (group && tip && data.labels) {
        group.addEventListener("mouseover", function (e) {
          var p = e.target.closest ? e.target.closest("path[data-i]") : null;
          if (!p) return;
          var i = parseInt(p.getAttribute("data-i"), 10);
          var html = "<span class='tip-name'>" + esc(data.labels[i]) + "</span>";
          if (data.regions && data.regions[i]) html += esc(data.regions[i]) + "<br>";
          var current = select ? select.value : null;
          Object.keys(data.maps).forEach(function (k) {
            var m = data.maps[k];
            if (!m.values) return;
            var line = esc(data.names[k] || k) + ": " + esc(m.values[i]);
            html += (k === current ? "<strong>" + line + "</strong>" : line) + "<br>";
          });
          if (data.links) html += "<span class='tip-hint'>" + esc(data.profileHint) + "</span>";
          tip.innerHTML = html;
          tip.hidden = false;
        });
        group.addEventListener("mousemove", function (e) {
          tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + "px";
          tip.style.top = Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 4) + "px";
        });
        group.addEventListener("mouseout", function () { tip.hidden = true; });
        group.addEventListener("click", function (e) {
          var p = e.target.closest ? e.target.closest("path[data-i]") : null;
          if (p && data.links) window.location.href = data.links[parseInt(p.getAttribute("data-i"), 10)];
        });
      }
      // Search (id or name) and region filter over the full table.
      var search = document.getElementById("search");
      var regionFilter = document.getElementById("region-filter");
      var full = document.getElementById("indicators-table");
      var counter = document.getElementById("row-count");
      if (full && search && regionFilter && data.columns) {
        var rowsAll = Array.prototype.slice.call(full.tBodies[0].rows);
        var keys = rowsAll.map(function (r) {
          var id = data.columns.id >= 0 && r.cells[data.columns.id] ? r.cells[data.columns.id].textContent : "";
          var nm = data.columns.name >= 0 && r.cells[data.columns.name] ? r.cells[data.columns.name].textContent : "";
          var rg = data.columns.region >= 0 && r.cells[data.columns.region] ? r.cells[data.columns.region].textContent : "";
          return { text: (id + " " + nm).toLowerCase(), region: rg };
        });
        var filter = function () {
          var q = search.value.trim().toLowerCase(), rg = regionFilter.value, shown = 0;
          for (var i = 0; i < rowsAll.length; i++) {
            var ok = (q === "" || keys[i].text.indexOf(q) >= 0) && (rg === "" || keys[i].region === rg);
            rowsAll[i].hidden = !ok;
            if (ok) shown++;
          }
          if (counter) counter.textContent = shown + " / " + rowsAll.length;
        };
        search.addEventListener("input", filter);
        regionFilter.addEventListener("change", filter);
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
