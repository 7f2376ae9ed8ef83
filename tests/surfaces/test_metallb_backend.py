"""MetalLB shares one address between Services with the same allow-shared-ip key only when their backend keys
match too (allocator sharingOK: "backend key ... does not match"): the controller's BackendKey is "" for
``externalTrafficPolicy: Cluster`` (the default) and the pod selector for ``Local``. So two Services sharing an
address must both be Cluster, or Local with the same selector; otherwise MetalLB leaves the later one pending
(FW-LB-UNSHARED at it, naming the first)."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write


def service(name: str, port: int, policy: str | None, selector: str) -> str:
    spec = f"type: LoadBalancer, loadBalancerIP: 10.0.0.5, ports: [{{port: {port}}}], selector: {{{selector}}}"
    if policy:
        spec += f", externalTrafficPolicy: {policy}"
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: net\n"
            f"  annotations: {{metallb.io/allow-shared-ip: dns}}\nspec: {{{spec}}}\n")


def unshared(tmp_path: Path, first: tuple[str | None, str], second: tuple[str | None, str]) -> list:
    repo = gotk()
    repo.update({"clusters/home/infra.yaml": ks("infra", "./infra"),
                 "clusters/home/apps.yaml": ks("apps", "./apps", deps=("infra",)),
                 "infra/svc.yaml": service("dns-udp", 53, *first),
                 "apps/svc.yaml": service("dns-tcp", 5353, *second)})
    [cluster] = build_model(write(tmp_path, repo)).clusters
    return [(w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-LB-UNSHARED"]


def test_cluster_policy_shares_whatever_the_selectors(tmp_path: Path) -> None:
    assert unshared(tmp_path, (None, "app: a"), ("Cluster", "app: b")) == []


def test_local_policy_shares_with_the_same_selector(tmp_path: Path) -> None:
    assert unshared(tmp_path, ("Local", "app: dns, tier: x"), ("Local", "tier: x, app: dns")) == []


def test_local_with_another_selector_is_left_pending(tmp_path: Path) -> None:
    [(file, line, message)] = unshared(tmp_path, ("Local", "app: a"), ("Local", "app: b"))
    assert (file, line) == ("apps/svc.yaml", 1)
    assert "already claimed by Service net/dns-udp (infra/svc.yaml:1)" in message
    assert "externalTrafficPolicy" in message


def test_local_beside_cluster_is_left_pending(tmp_path: Path) -> None:
    [(file, _, _)] = unshared(tmp_path / "a", (None, "app: a"), ("Local", "app: a"))
    assert file == "apps/svc.yaml"
    assert len(unshared(tmp_path / "b", ("Local", "app: a"), ("Cluster", "app: a"))) == 1
