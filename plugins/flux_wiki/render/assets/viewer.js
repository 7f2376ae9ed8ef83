// flux-wiki diagram viewer: pan, zoom and find for the inline Graphviz SVG diagrams. Shipped with the
// site (no CDN); without JavaScript (or before it runs) viewer.css shows the plain SVG at its natural size
// in a scrollable box.
//
// Integration contract
//  - Markup, as render/svg.py and compile.py emit it: the SVG is a direct child of the wrapper.
//      <div class="flux-wiki-diagram" data-diagram="NAME">
//        <svg class="flux-wiki-graph" viewBox="0 0 W H" width="Wpt" height="Hpt">…Graphviz…</svg>
//      </div>
//    viewBox units are Graphviz points (1:1 means 1 unit = 1 pt = 4/3 CSS px). Keep Graphviz's width and
//    height attributes in pt: they are the natural size when JavaScript is off. Without them the viewer
//    derives the same size from the viewBox, but the no-JavaScript view then fills the column width.
//  - Graphviz structure: nodes are <g class="node"> whose <title> is the node id, edges <g class="edge">
//    whose <title> is "tail->head" ("tail--head" undirected, ports allowed).
//  - Links are <a xlink:href> only, as Graphviz writes them: Material's navigation.instant assigns the href
//    property of every [href] element on each page and throws on an SVG <a href> (read-only there), which
//    stops instant navigation for the session, so svg.py never writes the SVG2 href. A plain click on a
//    node goes through Material's instant navigation (see follow()).
//  - Assets: viewer.css after DIAGRAM_CSS (same file or a later one), viewer.js after Material's bundle
//    (extra_javascript); flux_wiki.render.viewer exposes both as VIEWER_JS and VIEWER_CSS.
//  - DOT font sizes between 7.5 and 12 pt keep 1:1 text between 10 px and a 16 px body font, so the
//    no-JavaScript view is natural too (flux-wiki uses 9 to 12 pt).
//  - Other wrappers (the Hugo export's <figure><object>) have no inline SVG child and are left alone.
// Natural size ("1:1"): the zoom closest to Graphviz's 1:1 that keeps every text between 10 CSS px and the
// wrapper's font size (Material's body text); if the text sizes are too far apart for both, the 10 px floor
// wins. The first view is the natural size, shrunk toward fitting the box (column width, max-height 80vh)
// when the graph is larger, but never below 10 px text: beyond that it scrolls and pans inside its box.
// Controls: toolbar (find, zoom out, zoom in, fit, 1:1 = natural size), ctrl/meta + wheel or pinch zooms at
// the pointer (a plain wheel scrolls as usual), mouse drag pans (a drag never follows a link), keys when the
// diagram has focus: + - 0 f, arrows pan, / finds. In the find box Enter goes to the next match (Shift+Enter
// back), Escape clears. Matching nodes and the edges touching them are highlighted, their other ends stay
// readable and the rest fades.
// API for scripts and tests: wrapper.fluxWikiViewer = {scale(), natural, zoom(factor), fit(), reset(),
// find(text), next(back)}; scale is CSS px per viewBox unit. Runs on each Material document$ emission
// (instant navigation) or once on DOMContentLoaded; a wrapper is enhanced once.
(function () {
  "use strict";
  var PT = 4 / 3, MIN_TEXT_PX = 10, STEP = 1.25, DRAG_PX = 4, PAN_PX = 40, MAX_ZOOM = 8, MAX_SIDE_PX = 1e5;
  var XLINK = "http://www.w3.org/1999/xlink";
  var UNITS = { px: 1, pt: PT, pc: 16, "in": 96, cm: 96 / 2.54, mm: 96 / 25.4 };

  function lengthPx(value) {
    var m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(px|pt|pc|in|cm|mm)?\s*$/.exec(value || "");
    return m ? parseFloat(m[1]) * UNITS[m[2] || "px"] : null;
  }

  // How many viewBox units one unit of el's own coordinates spans (the product of its transforms' scales).
  function userScale(el, svg) {
    var s = 1;
    for (var e = el; e && e !== svg; e = e.parentNode) {
      var list = e.transform && e.transform.baseVal;
      for (var i = 0; list && i < list.numberOfItems; i++) {
        var m = list.getItem(i).matrix;
        s *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      }
    }
    return s;
  }

  // The zoom (CSS px per viewBox unit) closest to 1:1 (unit) that keeps every text size (in viewBox
  // units) between MIN_TEXT_PX and body px; the floor wins when no zoom satisfies both.
  function naturalScale(sizes, unit, body) {
    var min = Infinity, max = 0;
    sizes.forEach(function (s) { if (s > 0) { min = Math.min(min, s); max = Math.max(max, s); } });
    if (!max) return unit;
    var lo = MIN_TEXT_PX / min, hi = body / max;
    return lo > hi ? lo : Math.min(Math.max(unit, lo), hi);
  }

  // The zoom that keeps the smallest text at MIN_TEXT_PX (0 without text).
  function floorScale(sizes) {
    var min = Math.min.apply(null, sizes.filter(function (s) { return s > 0; }).concat([Infinity]));
    return min < Infinity ? MIN_TEXT_PX / min : 0;
  }

  // The first view: the natural zoom, or less when the graph does not fit its box (fit: the zoom that fits,
  // 0 when the box is not laid out), but not below the 10 px floor.
  function initialScale(natural, floor, fit) {
    return fit > 0 ? Math.min(natural, Math.max(fit, floor)) : natural;
  }

  // The node ids an edge title joins: "a->b", "a--b", with optional ":port[:compass]" after each id.
  function edgeEnds(title, known) {
    function id(s) {
      for (var n = 0; n < 3 && s; n++) {
        if (Object.prototype.hasOwnProperty.call(known, s)) return s;
        var at = s.lastIndexOf(":");
        if (at < 0) break;
        s = s.slice(0, at);
      }
      return null;
    }
    var re = /->|--/g, m;
    while ((m = re.exec(title))) {
      var a = id(title.slice(0, m.index)), b = id(title.slice(m.index + 2));
      if (a !== null && b !== null) return [a, b];
    }
    return null;
  }

  // Material's instant navigation only follows HTML links (an SVG <a> has no string href): a plain click on
  // a diagram link goes through an HTML link with the same address, which Material loads in place when it
  // belongs to the site and the browser follows otherwise.
  function follow(e) {
    var a = e.target.closest && e.target.closest("a");
    if (!a || !(a instanceof SVGElement) || a.getAttribute("target")) return;
    var href = a.getAttribute("href") || a.getAttributeNS(XLINK, "href"), url;
    try { url = new URL(href || "", document.baseURI); } catch (err) { return; }
    if (!href || !/^https?:$/.test(url.protocol)) return;
    e.preventDefault();
    e.stopPropagation();
    var link = document.createElement("a");
    link.href = url.href;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function make(tag, cls, attrs, text) {
    var el = document.createElement(tag);
    el.className = cls;
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text) el.textContent = text;
    return el;
  }

  function enhance(box) {
    var svg = box.querySelector(":scope > svg");
    var vb = svg && svg.viewBox && svg.viewBox.baseVal;
    if (box.fluxWikiViewer || !vb || !(vb.width > 0) || !(vb.height > 0)) return;
    var w = vb.width, h = vb.height;
    var unit = (lengthPx(svg.getAttribute("width")) || w * PT) / w;
    var body = parseFloat(getComputedStyle(box).fontSize) || 16;
    var sizes = Array.prototype.map.call(svg.querySelectorAll("text"), function (t) {
      return (parseFloat(getComputedStyle(t).fontSize) || 0) * userScale(t, svg);
    });
    var natural = naturalScale(sizes, unit, body), floor = floorScale(sizes), scale = natural;

    var name = box.getAttribute("data-diagram") || "diagram";
    var bar = make("div", "fw-viewer-bar", { role: "toolbar", "aria-label": name + " diagram" });
    var find = make("input", "fw-viewer-find", { type: "search", placeholder: "Find a node", autocomplete: "off",
      spellcheck: "false", "aria-label": "Find a node in the " + name + " diagram" });
    var count = make("span", "fw-viewer-count", { "aria-live": "polite" });
    var zoomed = make("span", "fw-viewer-zoom", { "aria-live": "polite" });
    function button(cls, label, title, run) {
      var b = make("button", "fw-viewer-button " + cls, { type: "button", title: title, "aria-label": title }, label);
      b.addEventListener("click", run);
      return b;
    }
    var port = make("div", "fw-viewer-port", { tabindex: "0", role: "group",
      "aria-label": name + " diagram: drag or arrow keys pan, + and - zoom, f fits, 0 natural size, / finds" });
    bar.appendChild(find);
    bar.appendChild(count);
    bar.appendChild(make("span", "fw-viewer-gap"));
    bar.appendChild(zoomed);
    bar.appendChild(button("fw-viewer-out", "\u2212", "Zoom out (-)", function () { zoom(1 / STEP); }));
    bar.appendChild(button("fw-viewer-in", "+", "Zoom in (+)", function () { zoom(STEP); }));
    bar.appendChild(button("fw-viewer-fit", "Fit", "Fit the whole diagram (f)", fit));
    bar.appendChild(button("fw-viewer-reset", "1:1", "Natural size (0)", reset));
    box.insertBefore(bar, svg);
    box.insertBefore(port, svg);
    port.appendChild(svg);
    box.classList.add("fw-viewer");

    function fitScale() {
      var maxH = parseFloat(getComputedStyle(port).maxHeight) || window.innerHeight * 0.8;
      return Math.min((port.offsetWidth - 1) / w, (maxH - 1) / h);
    }
    function limits() {
      var fitted = fitScale(), most = Math.min(natural * MAX_ZOOM, MAX_SIDE_PX / Math.max(w, h));
      return [Math.min(natural, fitted > 0 ? fitted : natural), Math.max(natural, most)];
    }
    // Zoom to next keeping the point under (x, y) (client px; default the middle of the box) in place.
    function zoomTo(next, x, y) {
      var range = limits();
      next = Math.min(Math.max(next, range[0]), range[1]);
      var r = svg.getBoundingClientRect(), p = port.getBoundingClientRect();
      if (x == null) { x = p.left + port.clientWidth / 2; y = p.top + port.clientHeight / 2; }
      var ux = (x - r.left) / scale, uy = (y - r.top) / scale;
      scale = next;
      svg.style.width = w * scale + "px";
      svg.style.height = h * scale + "px";
      var r2 = svg.getBoundingClientRect();
      port.scrollLeft += r2.left + ux * scale - x;
      port.scrollTop += r2.top + uy * scale - y;
      zoomed.textContent = Math.round(scale / natural * 100) + "%";
    }
    function zoom(factor, x, y) { zoomTo(scale * factor, x, y); }
    function fit() { zoomTo(fitScale()); }
    function reset() { zoomTo(natural); }

    // Drag to pan with the mouse (touch scrolls natively); a drag swallows the click that ends it.
    var drag = null, dragged = false;
    function onScrollbar(e) {
      var r = port.getBoundingClientRect();
      return e.clientX - r.left - port.clientLeft >= port.clientWidth
        || e.clientY - r.top - port.clientTop >= port.clientHeight;
    }
    port.addEventListener("mousedown", function (e) {
      if (e.button !== 0 || onScrollbar(e)) return;
      e.preventDefault(); // no text selection, no native link drag
      port.focus({ preventScroll: true });
    });
    port.addEventListener("pointerdown", function (e) {
      if (e.pointerType !== "mouse" || e.button !== 0 || onScrollbar(e)) return;
      drag = { x: e.clientX, y: e.clientY, left: port.scrollLeft, top: port.scrollTop, id: e.pointerId, moving: false };
      dragged = false;
    });
    port.addEventListener("pointermove", function (e) {
      if (!drag || e.pointerId !== drag.id) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moving) {
        if (Math.abs(dx) < DRAG_PX && Math.abs(dy) < DRAG_PX) return;
        drag.moving = dragged = true;
        port.setPointerCapture(e.pointerId);
        box.classList.add("fw-dragging");
      }
      port.scrollLeft = drag.left - dx;
      port.scrollTop = drag.top - dy;
    });
    function release(e) {
      if (!drag || e.pointerId !== drag.id) return;
      drag = null;
      box.classList.remove("fw-dragging");
      if (dragged) setTimeout(function () { dragged = false; }, 0);
    }
    port.addEventListener("pointerup", release);
    port.addEventListener("pointercancel", release);
    port.addEventListener("click", function (e) {
      if (dragged) {
        dragged = false;
        e.preventDefault();
        e.stopPropagation();
      } else if (window.document$ && e.button === 0 && !(e.ctrlKey || e.metaKey || e.shiftKey || e.altKey)) {
        follow(e);
      }
    }, true);

    port.addEventListener("wheel", function (e) {
      if (!(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      var dy = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? port.clientHeight : 1);
      zoom(Math.exp(-Math.max(-200, Math.min(200, dy)) * 0.002), e.clientX, e.clientY);
    }, { passive: false });

    port.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var step = PAN_PX * (e.shiftKey ? 5 : 1);
      switch (e.key) {
        case "+": case "=": zoom(STEP); break;
        case "-": case "_": zoom(1 / STEP); break;
        case "0": reset(); break;
        case "f": case "F": fit(); break;
        case "ArrowLeft": port.scrollLeft -= step; break;
        case "ArrowRight": port.scrollLeft += step; break;
        case "ArrowUp": port.scrollTop -= step; break;
        case "ArrowDown": port.scrollTop += step; break;
        case "/": find.focus(); break;
        default: return;
      }
      e.preventDefault();
      e.stopPropagation(); // Material's own shortcuts (f opens its search) stay outside the diagram
    });

    // Find: a node matches on its id or its visible text; the edges touching a match are marked with it.
    var nodes = [], byId = Object.create(null), edges = [], hits = [], current = -1; // ids are repo values
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var title = g.querySelector("title"), id = title ? title.textContent : "";
      var text = Array.prototype.map.call(g.querySelectorAll("text"), function (t) { return t.textContent; });
      var node = { g: g, id: id, text: (id + "\n" + text.join("\n")).toLowerCase() };
      nodes.push(node);
      byId[id] = node;
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.edge"), function (g) {
      var title = g.querySelector("title"), ends = title && edgeEnds(title.textContent, byId);
      if (ends) edges.push({ g: g, ends: [byId[ends[0]], byId[ends[1]]] });
    });
    function search(text) {
      var q = String(text || "").trim().toLowerCase();
      nodes.forEach(function (n) { n.g.classList.remove("fw-hit", "fw-hit-current", "fw-hit-near"); });
      edges.forEach(function (e) { e.g.classList.remove("fw-hit-edge"); });
      hits = q ? nodes.filter(function (n) { return n.text.indexOf(q) >= 0; }) : [];
      current = -1;
      hits.forEach(function (n) { n.g.classList.add("fw-hit"); });
      edges.forEach(function (e) {
        var tail = e.ends[0].g.classList, head = e.ends[1].g.classList;
        if (!tail.contains("fw-hit") && !head.contains("fw-hit")) return;
        e.g.classList.add("fw-hit-edge");
        tail.add("fw-hit-near"); // the other end stays readable
        head.add("fw-hit-near");
      });
      svg.classList.toggle("fw-searching", q !== "");
      find.setAttribute("aria-invalid", q !== "" && !hits.length ? "true" : "false");
      var n = hits.length;
      count.textContent = !q ? "" : !n ? "no match" : n + (n === 1 ? " match" : " matches");
      return hits.length;
    }
    function next(back) {
      if (!hits.length) return null;
      if (current >= 0) hits[current].g.classList.remove("fw-hit-current");
      current = (current + (back ? -1 : 1) + hits.length) % hits.length;
      var g = hits[current].g;
      g.classList.add("fw-hit-current");
      count.textContent = current + 1 + " of " + hits.length;
      if (scale < floor) zoomTo(initialScale(natural, floor, fitScale()));
      var r = g.getBoundingClientRect(), p = port.getBoundingClientRect();
      port.scrollLeft += r.left + r.width / 2 - (p.left + port.clientWidth / 2);
      port.scrollTop += r.top + r.height / 2 - (p.top + port.clientHeight / 2);
      if (p.top < 0 || p.bottom > window.innerHeight) box.scrollIntoView({ block: "nearest" });
      return hits[current].id;
    }
    find.addEventListener("input", function () { search(find.value); });
    find.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); next(e.shiftKey); }
      else if (e.key === "Escape" && find.value) {
        e.preventDefault();
        e.stopPropagation();
        find.value = "";
        search("");
      }
    });

    box.fluxWikiViewer = { natural: natural, scale: function () { return scale; }, zoom: zoom, fit: fit, reset: reset,
      find: search, next: next };
    zoomTo(initialScale(natural, floor, fitScale()));
    port.scrollLeft = port.scrollTop = 0;
  }

  function init() {
    document.querySelectorAll(".flux-wiki-diagram").forEach(function (box) {
      try { enhance(box); } catch (err) { if (window.console) console.warn("flux-wiki viewer:", err); }
    });
  }
  window.FluxWikiViewer = { naturalScale: naturalScale, floorScale: floorScale, initialScale: initialScale,
    edgeEnds: edgeEnds, lengthPx: lengthPx, init: init };
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
