"""A Service of type ExternalName has no cluster IP: it is a DNS alias (a CNAME) of its externalName. The
surface inventory lists it as such, not among the ClusterIP Services, in the Markdown table and in the JSON."""

from __future__ import annotations

import json
from pathlib import Path

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.engine import build_model
from flux_wiki.render.inventory import inventory_json
from tests.pages.test_golden_pages import inventory_rows
from tests.simulate.test_simulate import gotk, ks, write

SERVICES = """\
apiVersion: v1
kind: Service
metadata: {name: db, namespace: apps}
spec: {type: ExternalName, externalName: db.example.com, ports: [{port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 80}]}
"""


def repo(tmp_path: Path) -> Path:
    return write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps"),
                            "apps/services.yaml": SERVICES})


def test_the_inventory_shows_an_external_name_as_an_alias(tmp_path: Path) -> None:
    pages = WikiCompiler().compile(WikiConfig(repo=repo(tmp_path), diagrams=False)).pages
    page = next(p.markdown for p in pages if p.kind == "surfaces")
    rows = {row[4]: (row[0], row[1], row[2], row[3]) for row in inventory_rows(page)}
    assert rows["Service `db`"] == ("", "", "db.example.com", "externalname")
    assert rows["Service `web`"] == ("", "80", "", "clusterip")
    dag = next(p.markdown for p in pages if p.kind == "dag")
    assert "ClusterIP db" not in dag
    assert "ClusterIP web on 80" in dag


def test_the_json_says_the_same(tmp_path: Path) -> None:
    data = json.loads(inventory_json(build_model(repo(tmp_path))))
    [cluster] = data["clusters"]
    db = [s for s in cluster["surfaces"] if s["name"] == "db"]
    assert [(s["kind"], s["host"], s["port"], s["target"]) for s in db] == [
        ("externalname", "db.example.com", None, "db.example.com")]
