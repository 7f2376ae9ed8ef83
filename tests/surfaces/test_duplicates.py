"""duplicate_claims: two LoadBalancers on one address:port/protocol, reported once; unshared_claims: MetalLB
Services on one address without the same sharing key."""

from __future__ import annotations

from flux_wiki.analysis.surfaces import claim_warnings, contested_claims, duplicate_claims
from flux_wiki.model import Surface


def lb(name, address, port, protocol="TCP", *, kind="loadbalancer", file=None, line=1, layer="flux-system/a"):
    return Surface(kind=kind, layer=layer, namespace="net", name=name, object_kind="Service", address=address,
                   port=port, protocol=protocol, file=file or f"{name}.yaml", line=line)


def test_same_address_port_protocol_is_reported_once_at_the_second_claimant():
    diags = duplicate_claims([lb("b", "10.0.0.5", 443, line=9, layer="x/b"), lb("a", "10.0.0.5", 443, line=3)])
    assert [(d.file, d.line) for d in diags] == [("b.yaml", 9)]
    assert "10.0.0.5:443/TCP" in diags[0].message and diags[0].message.endswith("already claimed by "
                                                                                 "Service net/a (a.yaml:3)")


def test_shared_ip_on_different_ports_or_protocols_is_fine():
    assert duplicate_claims([lb("a", "10.0.0.5", 53, "UDP"), lb("b", "10.0.0.5", 53, "TCP"),
                             lb("c", "10.0.0.5", 80)]) == []


def test_address_lists_unresolved_and_non_lb_are_handled():
    assert len(duplicate_claims([lb("a", "10.0.0.1,10.0.0.5", 80), lb("b", "10.0.0.5", 80)])) == 1
    assert duplicate_claims([lb("a", "${LB_IP}", 80), lb("b", "${LB_IP}", 80)]) == []
    assert duplicate_claims([lb("a", "10.0.0.5", 80, kind="clusterip"), lb("b", "10.0.0.5", 80)]) == []
    assert duplicate_claims([lb("a", None, 80), lb("b", None, 80)]) == []


def test_gateway_listener_counts_as_a_claim():
    gw = Surface(kind="gateway", layer="l", namespace="net", name="gw", object_kind="Gateway", address="10.0.0.5",
                 port=443, protocol="HTTPS", file="gw.yaml", line=4)
    assert [d.file for d in duplicate_claims([gw, lb("b", "10.0.0.5", 443)])] == ["gw.yaml"]


def test_two_ports_of_one_object_do_not_conflict_with_themselves():
    assert duplicate_claims([lb("a", "10.0.0.5", 80), lb("a", "10.0.0.5", 80, "UDP")]) == []


def test_many_claims_of_one_address_each_name_only_the_first():
    claims = [lb(f"s{i:03d}", "10.0.0.5", 80, line=i) for i in range(300)]
    diags = duplicate_claims(claims)
    assert len(diags) == 299 and "s000.yaml" not in {d.file for d in diags}
    assert all(d.message.count("Service net/") == 2 and d.message.endswith("(s000.yaml:0)") for d in diags)


def test_a_rank_decides_the_first_claimant():
    """The engine ranks claimants by their layer's level: the object applied first keeps the address."""
    contested = contested_claims([lb("a", "10.0.0.5", 80, layer="late"), lb("z", "10.0.0.5", 80, layer="early")])
    [d] = claim_warnings(contested, rank=lambda s: {"early": 1, "late": 2}[s.layer])
    assert d.file == "a.yaml" and d.message.endswith("already claimed by Service net/z (z.yaml:1)")


def _service(name: str, port: int, annotations: str = "") -> str:
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: net\n"
            f"  annotations: {{{annotations}}}\n"
            f"spec: {{type: LoadBalancer, loadBalancerIP: 10.0.0.5, ports: [{{port: {port}}}]}}\n")


def _lb_warnings(tmp_path, files: dict[str, str]) -> list:
    from flux_wiki.engine import build_model
    from tests.simulate.test_simulate import gotk, ks, write

    repo = gotk()
    repo.update({"clusters/home/infra.yaml": ks("infra", "./infra"),
                 "clusters/home/apps.yaml": ks("apps", "./apps", deps=("infra",)), **files})
    [cluster] = build_model(write(tmp_path, repo)).clusters
    return sorted((w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-LB-DUPLICATE")


def test_a_repo_conflict_is_reported_once_at_the_object_applied_later(tmp_path):
    """apps waits for infra, so infra's Service gets the address first (though apps/ sorts before infra/)."""
    [(file, line, message)] = _lb_warnings(tmp_path, {"infra/svc.yaml": _service("edge", 443),
                                                      "apps/svc.yaml": _service("web", 443)})
    assert (file, line) == ("apps/svc.yaml", 1)
    assert message.endswith("already claimed by Service net/edge (infra/svc.yaml:1)")


def test_sharing_annotations_share_an_address_on_other_ports_only(tmp_path):
    """MetalLB ``allow-shared-ip`` and Cilium ``sharing-key``: Services with one key may share an address when
    their ports differ; two of them on one port still conflict."""
    for key in ("metallb.universe.tf/allow-shared-ip", "metallb.io/allow-shared-ip", "lbipam.cilium.io/sharing-key"):
        ann = f"{key}: k"
        assert _lb_warnings(tmp_path / key.replace("/", "_"), {"infra/svc.yaml": _service("dns", 53, ann),
                                                               "apps/svc.yaml": _service("web", 443, ann)}) == []
        [(file, _, _)] = _lb_warnings(tmp_path / (key.replace("/", "_") + "-same"),
                                      {"infra/svc.yaml": _service("dns", 443, ann),
                                       "apps/svc.yaml": _service("web", 443, ann)})
        assert file == "apps/svc.yaml"


def _unshared(tmp_path, infra_annotations: str, apps_annotations: str) -> list:
    from flux_wiki.engine import build_model
    from tests.simulate.test_simulate import gotk, ks, write

    repo = gotk()
    repo.update({"clusters/home/infra.yaml": ks("infra", "./infra"),
                 "clusters/home/apps.yaml": ks("apps", "./apps", deps=("infra",)),
                 "infra/svc.yaml": _service("dns", 53, infra_annotations),
                 "apps/svc.yaml": _service("web", 443, apps_annotations)})
    [cluster] = build_model(write(tmp_path, repo)).clusters
    return [(w.file, w.line, w.message) for w in cluster.warnings if w.code.startswith("FW-LB-")]


def test_metallb_shares_an_address_only_with_the_same_key(tmp_path):
    """MetalLB's allocator (sharingOK) refuses an address another Service holds unless both carry one
    allow-shared-ip key: the later Service stays pending (reported there, naming the first)."""
    key = "metallb.universe.tf/allow-shared-ip"
    [(file, line, message)] = _unshared(tmp_path / "none", f"{key}: k", "metallb.io/loadBalancerIPs: 10.0.0.5")
    assert (file, line) == ("apps/svc.yaml", 1) and "already claimed by Service net/dns (infra/svc.yaml:1)" in message
    assert "it has no allow-shared-ip key" in message
    [(_, _, message)] = _unshared(tmp_path / "differ", f"{key}: a", "metallb.io/allow-shared-ip: b")
    assert "their allow-shared-ip keys differ" in message
    assert _unshared(tmp_path / "same", f"{key}: k", "metallb.io/allow-shared-ip: k") == []


def test_an_address_shared_where_metallb_is_not_certain_is_not_judged(tmp_path):
    """No MetalLB annotation (kube-vip, Cilium, a cloud: their own rules) or a key left as
    ``${VAR}``: not known here, so not red."""
    assert _unshared(tmp_path / "plain", "", "") == []
    assert _unshared(tmp_path / "cilium", "lbipam.cilium.io/sharing-key: k", "") == []
    assert _unshared(tmp_path / "vars", "metallb.universe.tf/allow-shared-ip: ${KEY}",
                     "metallb.universe.tf/allow-shared-ip: k") == []
