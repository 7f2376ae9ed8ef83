"""The surface inventory's Port column shows a NodePort Service's port as the layer tables phrase it: node port
→ port (``30080→80``), ``(assigned)→53`` when the cluster picks the node port."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from tests.pages.test_golden_pages import inventory_rows
from tests.simulate.test_simulate import gotk, ks, write

SERVICES = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {type: NodePort, ports: [{name: http, port: 80, nodePort: 30080}]}
---
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: apps}
spec: {type: NodePort, ports: [{port: 53, protocol: UDP}]}
---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: apps}
spec: {type: LoadBalancer, loadBalancerIP: 10.0.0.5, ports: [{port: 443, nodePort: 30443}]}
"""


def test_node_ports_show_node_port_to_port(tmp_path: Path) -> None:
    files = gotk()
    files.update({"clusters/home/apps.yaml": ks("apps", "./apps"), "apps/services.yaml": SERVICES})
    cfg = WikiConfig(repo=write(tmp_path, files), diagrams=False)
    pages = WikiCompiler().compile(cfg).pages
    page = next(p.markdown for p in pages if p.kind == "surfaces")
    ports = {row[4]: (row[0], row[1], row[3]) for row in inventory_rows(page)}
    assert ports["Service `web`"] == ("", "30080→80", "nodeport")
    assert ports["Service `dns`"] == ("", r"\(assigned\)→53/UDP", "nodeport")  # Markdown-escaped
    assert ports["Service `edge`"] == ("10.0.0.5", "443", "loadbalancer")  # an address and its port, as before
    dag = next(p.markdown for p in pages if p.kind == "dag")
    assert "NodePort web on 30080→80" in dag  # the phrase the layer tables already use
