"""The shipped table sorter (assets/flux-wiki.js) run under node with a minimal DOM: natural order for IPs
and ports, empty cells last both ways, Material's aria-sort attributes."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from flux_wiki.render.pages import SORTABLE_JS

HARNESS = """
function el(tag, text) {
  const attrs = {}, listeners = {};
  return { tagName: tag, textContent: text || "", dataset: {}, tabIndex: -1,
    setAttribute(k, v) { attrs[k] = String(v); }, getAttribute(k) { return k in attrs ? attrs[k] : null; },
    removeAttribute(k) { delete attrs[k]; }, addEventListener(t, f) { listeners[t] = f; },
    fire(t) { listeners[t]({ key: "Enter" }); }, attrs };
}
const data = ROWS;
const heads = ["IP", "Port", "Host"].map(h => el("TH", h));
const body = { rows: [], appendChild(r) { this.rows = this.rows.filter(x => x !== r).concat([r]); } };
data.forEach(cells => body.rows.push({ cells: cells.map(c => el("TD", c)) }));
const table = el("TABLE"); table.tHead = { rows: [{ cells: heads }] }; table.tBodies = [body];
const p = el("P"); p.nextElementSibling = table;
const mark = el("SPAN"); mark.closest = () => p;
global.window = {}; global.document = { readyState: "complete", querySelectorAll: () => [mark] };
SCRIPT
const out = { role: heads[0].getAttribute("role") };
heads[COLUMN].fire("click"); out.asc = body.rows.map(r => r.cells[COLUMN].textContent);
out.sort = heads[COLUMN].getAttribute("aria-sort");
heads[COLUMN].fire("click"); out.desc = body.rows.map(r => r.cells[COLUMN].textContent);
out.sort2 = heads[COLUMN].getAttribute("aria-sort");
console.log(JSON.stringify(out));
"""

ROWS = [["192.168.1.240", "8000", ""], ["", "80", "b.example.org"], ["192.168.1.10", "443", ""],
        ["192.168.1.9", "", "a.example.org"], ["10.0.0.1", "5432", ""]]


def run(column: int) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (HARNESS.replace("ROWS", json.dumps(ROWS)).replace("SCRIPT", SORTABLE_JS)
              .replace("COLUMN", str(column)))
    proc = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(proc.stdout)


def test_ip_column_sorts_numerically_with_empty_last() -> None:
    out = run(0)
    assert out["role"] == "columnheader"
    assert out["asc"] == ["10.0.0.1", "192.168.1.9", "192.168.1.10", "192.168.1.240", ""]
    assert out["desc"] == ["192.168.1.240", "192.168.1.10", "192.168.1.9", "10.0.0.1", ""]
    assert (out["sort"], out["sort2"]) == ("ascending", "descending")


def test_port_and_host_columns() -> None:
    assert run(1)["asc"] == ["80", "443", "5432", "8000", ""]
    assert run(2)["asc"] == ["a.example.org", "b.example.org", "", "", ""]
