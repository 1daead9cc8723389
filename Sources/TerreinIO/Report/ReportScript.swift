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
      // The full table is paged: data.rows holds every row's printed cells; search (id or
      // name), region filter and sort work on that array and only the current page is in the
      // DOM (the first page is in the HTML, so the page reads without the script).
      var full = document.getElementById("indicators-table");
      var search = document.getElementById("search");
      var regionFilter = document.getElementById("region-filter");
      var counter = document.getElementById("row-count");
      var pager = document.getElementById("pager");
      var prev = document.getElementById("page-prev"), next = document.getElementById("page-next");
      var pageInfo = document.getElementById("page-info");
      if (full && data.rows && data.columns) {
        var all = data.rows, size = data.pageSize || 100, cols = data.columns;
        var body = full.tBodies[0], fullHeads = full.tHead.rows[0].cells, numeric = [];
        for (var h = 0; h < fullHeads.length; h++) numeric.push(fullHeads[h].getAttribute("data-type") === "num");
        var keys = all.map(function (r) {
          return ((cols.id >= 0 ? r[cols.id] : "") + " " + (cols.name >= 0 ? r[cols.name] : "")).toLowerCase();
        });
        var order = all.map(function (_, i) { return i; }), shown = order, page = 0;
        var render = function () {
          var pages = Math.max(1, Math.ceil(shown.length / size));
          if (page > pages - 1) page = pages - 1;
          var frag = document.createDocumentFragment(), end = Math.min(shown.length, (page + 1) * size);
          for (var p = page * size; p < end; p++) {
            var i = shown[p], r = all[i], tr = document.createElement("tr");
            for (var c = 0; c < r.length; c++) {
              var td = document.createElement("td");
              if (c === cols.id && data.links) {
                var a = document.createElement("a");
                a.href = data.links[i];
                a.textContent = r[c];
                td.appendChild(a);
              } else {
                td.textContent = r[c];
                if (numeric[c]) td.className = "num";
              }
              tr.appendChild(td);
            }
            frag.appendChild(tr);
          }
          body.textContent = "";
          body.appendChild(frag);
          if (counter) counter.textContent = shown.length + " / " + all.length;
          if (pageInfo) pageInfo.textContent = data.pageLabel + " " + (page + 1) + " / " + pages;
          if (prev) prev.disabled = page === 0;
          if (next) next.disabled = page >= pages - 1;
          if (pager) pager.hidden = pages <= 1;
        };
        var filter = function () {
          var q = search ? search.value.trim().toLowerCase() : "", rg = regionFilter ? regionFilter.value : "";
          shown = q === "" && rg === "" ? order : order.filter(function (i) {
            return (q === "" || keys[i].indexOf(q) >= 0) && (rg === "" || (cols.region >= 0 && all[i][cols.region] === rg));
          });
          page = 0;
          render();
        };
        // Sort the whole array (empty cells last, ties in the previous order), then filter again.
        var sortAll = function (col, th) {
          var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
          for (var k = 0; k < fullHeads.length; k++) fullHeads[k].removeAttribute("aria-sort");
          th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
          var entries = order.map(function (i, pos) {
            var t = all[i][col];
            return { i: i, pos: pos, empty: t === "", v: numeric[col] ? parseFloat(t) : t };
          });
          entries.sort(function (a, b) {
            if (a.empty !== b.empty) return a.empty ? 1 : -1;
            var c = 0;
            if (!a.empty) c = numeric[col] ? a.v - b.v : (a.v < b.v ? -1 : a.v > b.v ? 1 : 0);
            return c !== 0 ? dir * c : a.pos - b.pos;
          });
          order = entries.map(function (e) { return e.i; });
          filter();
        };
        if (search) search.addEventListener("input", filter);
        if (regionFilter) regionFilter.addEventListener("change", filter);
        if (prev) prev.addEventListener("click", function () { if (page > 0) { page--; render(); } });
        if (next) next.addEventListener("click", function () { page++; render(); });
        Array.prototype.forEach.call(fullHeads, function (th, col) {
          th.addEventListener("click", function () { sortAll(col, th); });
          th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortAll(col, th); });
        });
      }
      // The other (small) tables sort their DOM rows.
      var tables = document.querySelectorAll("table.sortable:not(#indicators-table)");
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
