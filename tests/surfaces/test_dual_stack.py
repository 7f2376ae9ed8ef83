"""IPv6 and dual-stack LoadBalancer addresses: ``[fd00::10]:443`` in every output, each address of a list on its
own, and compared address by address when claims clash."""

from __future__ import annotations

import json
from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.model import endpoint
from flux_wiki.render.diagrams import layer_diagram_dot, surface_map_dot
from flux_wiki.render.inventory import inventory_json
from flux_wiki.render.pages import PageRenderer, RenderOptions
from tests.simulate.test_simulate import gotk, ks, write


def _service(name: str, annotations: str, spec: str = "", port: int = 443) -> str:
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: net\n"
            f"  annotations: {{{annotations}}}\n"
            f"spec: {{type: LoadBalancer, {spec}ports: [{{port: {port}}}]}}\n")


def _repo(tmp_path: Path) -> Path:
    return write(tmp_path, {
        **gotk(), "clusters/home/infra.yaml": ks("infra", "./infra"),
        "infra/metallb.yaml": _service("edge", '"metallb.io/loadBalancerIPs": "10.0.0.5,fd00::5"',
                                       "ipFamilyPolicy: PreferDualStack, "),
        "infra/legacy.yaml": _service("legacy", '"metallb.universe.tf/loadBalancerIPs": "fd00:0:0::5"', port=443),
        "infra/cilium.yaml": _service("dns", '"lbipam.cilium.io/ips": "fd00::53"', port=53),
        "infra/spec.yaml": _service("web", "", "loadBalancerIP: fd00::10, ", port=8443),
    })


def test_endpoint_brackets_ipv6_and_splits_lists():
    assert endpoint("fd00::10", 443) == "[fd00::10]:443"
    assert endpoint("10.0.0.5,fd00::5", 443) == "10.0.0.5:443, [fd00::5]:443"
    assert endpoint("10.0.0.5", 80) == "10.0.0.5:80"
    assert endpoint("10.0.0.5, fd00::5", None) == "10.0.0.5, fd00::5"


def test_ipv6_addresses_are_bracketed_on_pages_and_in_diagrams(tmp_path: Path) -> None:
    model = build_model(_repo(tmp_path))
    cluster = model.clusters[0]
    renderer = PageRenderer(model.facts[cluster.name], RenderOptions())
    layer = renderer.layer_page(cluster.kustomizations["flux-system/infra"]).markdown
    assert "10.0.0.5:443, [fd00::5]:443" in layer and "[fd00::10]:8443" in layer and "[fd00::53]:53" in layer
    assert "fd00::5:443" not in layer.replace("[fd00::5]:443", "")
    dot = layer_diagram_dot(cluster, "flux-system/infra", cluster.surfaces, lambda _: "")
    assert "[fd00::10]:8443" in dot and "fd00::10:8443" not in dot
    assert "fd00::10:" not in surface_map_dot(cluster, cluster.surfaces, lambda _: "")


def test_ipv6_claims_are_compared_address_by_address(tmp_path: Path) -> None:
    """``fd00:0:0::5`` is ``fd00::5``: the legacy Service claims the address edge already has on port 443."""
    model = build_model(_repo(tmp_path))
    cluster = model.clusters[0]
    [dup] = [w for w in cluster.warnings if w.code == "FW-LB-DUPLICATE"]
    assert "[fd00::5]:443/TCP" in dup.message
    claims = json.loads(inventory_json(model))["clusters"][0]["duplicateClaims"]
    assert [(c["address"], c["port"]) for c in claims] == [("fd00::5", 443)]


def test_a_dual_stack_service_says_so(tmp_path: Path) -> None:
    model = build_model(_repo(tmp_path))
    [edge] = [s for s in model.clusters[0].surfaces if s.name == "edge"]
    assert edge.detail == "dual-stack (PreferDualStack)" and edge.address == "10.0.0.5,fd00::5"
