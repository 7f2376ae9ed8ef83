// flux-wiki: sort the table after each .flux-wiki-sortable mark on a heading click, in natural order
// (192.168.1.9 < 192.168.1.10, port 80 < 443), empty cells last; role/aria-sort as tablesort.js sets them,
// so Material for MkDocs draws its sort arrows. Shipped with the site: no CDN.
(function () {
  function key(cell) {
    var text = (cell ? cell.textContent : "").trim().toLowerCase();
    return text.split(/(\d+)/).map(function (p, i) { return i % 2 ? parseInt(p, 10) : p; });
  }
  function empty(k) { return k.length === 1 && k[0] === ""; }
  function compare(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return a.length - b.length;
  }
  function sortable(table) {
    if (table.dataset.fluxWikiSortable) return;
    table.dataset.fluxWikiSortable = "1";
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.setAttribute("role", "columnheader");
      th.tabIndex = 0;
      function run() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (r, i) {
          return { row: r, key: key(r.cells[col]), at: i };
        });
        rows.sort(function (x, y) {
          if (empty(x.key) || empty(y.key)) return (empty(x.key) - empty(y.key)) || x.at - y.at;
          var c = compare(x.key, y.key);
          return (asc ? c : -c) || x.at - y.at;
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
      }
      th.addEventListener("click", run);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") run(); });
    });
  }
  function init() {
    document.querySelectorAll(".flux-wiki-sortable").forEach(function (mark) {
      var el = mark.closest("p") || mark;
      while ((el = el.nextElementSibling)) {
        var table = el.tagName === "TABLE" ? el : el.querySelector("table");
        if (table) { sortable(table); break; }
      }
    });
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
