"""duplicate_claims: two LoadBalancers on one address:port/protocol."""

from __future__ import annotations

from flux_wiki.analysis.surfaces import duplicate_claims
from flux_wiki.model import Surface


def lb(name, address, port, protocol="TCP", *, kind="loadbalancer", file=None, line=1, layer="flux-system/a"):
    return Surface(kind=kind, layer=layer, namespace="net", name=name, object_kind="Service", address=address,
                   port=port, protocol=protocol, file=file or f"{name}.yaml", line=line)


def test_same_address_port_protocol_warns_on_both_sides():
    diags = duplicate_claims([lb("a", "10.0.0.5", 443, line=3), lb("b", "10.0.0.5", 443, line=9, layer="x/b")])
    assert [(d.file, d.line) for d in diags] == [("a.yaml", 3), ("b.yaml", 9)]
    assert "10.0.0.5:443/TCP" in diags[0].message and "b.yaml:9" in diags[0].message
    assert "a.yaml:3" in diags[1].message


def test_shared_ip_on_different_ports_or_protocols_is_fine():
    assert duplicate_claims([lb("a", "10.0.0.5", 53, "UDP"), lb("b", "10.0.0.5", 53, "TCP"),
                             lb("c", "10.0.0.5", 80)]) == []


def test_address_lists_unresolved_and_non_lb_are_handled():
    assert len(duplicate_claims([lb("a", "10.0.0.1,10.0.0.5", 80), lb("b", "10.0.0.5", 80)])) == 2
    assert duplicate_claims([lb("a", "${LB_IP}", 80), lb("b", "${LB_IP}", 80)]) == []
    assert duplicate_claims([lb("a", "10.0.0.5", 80, kind="clusterip"), lb("b", "10.0.0.5", 80)]) == []
    assert duplicate_claims([lb("a", None, 80), lb("b", None, 80)]) == []


def test_gateway_listener_counts_as_a_claim():
    gw = Surface(kind="gateway", layer="l", namespace="net", name="gw", object_kind="Gateway", address="10.0.0.5",
                 port=443, protocol="HTTPS", file="gw.yaml", line=4)
    assert [d.file for d in duplicate_claims([gw, lb("b", "10.0.0.5", 443)])] == ["b.yaml", "gw.yaml"]


def test_two_ports_of_one_object_do_not_conflict_with_themselves():
    assert duplicate_claims([lb("a", "10.0.0.5", 80), lb("a", "10.0.0.5", 80, "UDP")]) == []


def test_many_claims_of_one_address_name_a_bounded_number_of_others():
    claims = [lb(f"s{i:03d}", "10.0.0.5", 80, line=i) for i in range(300)]
    diags = duplicate_claims(claims)
    assert len(diags) == 300
    first = next(d for d in diags if d.file == "s000.yaml")
    assert first.message.count("also claimed by") == 1 and first.message.count("Service net/") == 1 + 10
    assert "s001.yaml:1" in first.message and first.message.endswith(" and 289 more")
    assert all(len(d.message) < 1000 for d in diags)
