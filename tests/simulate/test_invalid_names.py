"""Names the API server refuses: kustomize-controller's server-side apply (dry-run first) fails on an object whose
metadata.name or metadata.namespace breaks its kind's name rule, and the Kustomization that applies it fails.
The rules are apimachinery's: most kinds (and every custom resource) a DNS-1123 subdomain, a Namespace and a
namespace field a DNS-1123 label, a Service a DNS-1123 label (the relaxed rule of KEP-5311), RBAC kinds a path
segment (no '/' or '%'); a name still holding a ${VAR} postBuild substitutes is not judged (one nothing substitutes:
tests/simulate/test_unsubstituted_durations.py)."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_CODE = "FW-SCHEMA-REJECTED"


def _rejected(root: Path) -> list[tuple[str, int, str]]:
    cluster = build_model(root).clusters[0]
    return sorted((w.file, w.line, w.message) for w in cluster.warnings if w.code == _CODE)


def _obj(kind: str, name: str, api: str = "v1", ns: str = "apps") -> str:
    namespace = f"\n  namespace: {ns}" if ns else ""
    return f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}{namespace}\n"


def test_names_each_kind_refuses_are_reported_at_their_line(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps", extra="postBuild: {substituteFrom: [{kind: Secret, name: v}]}"),
        "apps/cm.yaml": _obj("ConfigMap", '"x<script>"'),
        "apps/ns.yaml": _obj("Namespace", "my.apps", ns=""),
        "apps/svc.yaml": _obj("Service", "Web"),
        "apps/widget.yaml": _obj("Widget", "Big_Widget", api="example.com/v1"),
        "apps/role.yaml": _obj("Role", '"system:x<script>"', api="rbac.authorization.k8s.io/v1"),
        "apps/ok.yaml": _obj("ConfigMap", "a.b-c") + "---\n" + _obj("Service", "1web")
                        + "---\n" + _obj("Secret", "${APP}-secret"),
    })
    found = _rejected(tmp_path)
    assert [(f, line) for f, line, _ in found] == [
        ("apps/cm.yaml", 4), ("apps/ns.yaml", 4), ("apps/svc.yaml", 4), ("apps/widget.yaml", 4)]
    by_file = {f: m for f, _, m in found}
    assert by_file["apps/cm.yaml"].startswith("ConfigMap apps/x<script>: metadata.name: ")
    assert "RFC 1123 subdomain" in by_file["apps/cm.yaml"]
    assert "Kustomization flux-system/apps fails to apply" in by_file["apps/cm.yaml"]
    assert "RFC 1123 label" in by_file["apps/ns.yaml"] and "RFC 1123 label" in by_file["apps/svc.yaml"]
    assert "RFC 1123 subdomain" in by_file["apps/widget.yaml"]


def test_an_invalid_namespace_is_reported_once_and_a_target_namespace_at_its_kustomization(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("a", "./a", extra='targetNamespace: "{{< shortcode >}}"')
                                   + "---\n" + ks("b", "./b"),
        "a/objs.yaml": _obj("ConfigMap", "one", ns="") + "---\n" + _obj("ConfigMap", "two", ns=""),
        "b/objs.yaml": _obj("ConfigMap", "one", ns="Apps") + "---\n" + _obj("Secret", "two", ns="Apps")
                       + "---\n" + _obj("ClusterRole", "r", api="rbac.authorization.k8s.io/v1", ns="Apps"),
    })
    found = _rejected(tmp_path)
    assert len(found) == 2
    (b_file, b_line, b_msg), (a_file, a_line, a_msg) = found
    assert (b_file, b_line) == ("b/objs.yaml", 5)  # metadata.namespace
    assert "metadata.namespace: " in b_msg and "(and 1 more object in it)" in b_msg and "RFC 1123 label" in b_msg
    assert (a_file, a_line) == ("clusters/home/apps.yaml", 12)  # spec.targetNamespace
    assert a_msg.startswith("Kustomization flux-system/a: spec.targetNamespace is not a namespace name (a lowercase "
                            "RFC 1123 label") and "rejects the 2 objects it puts there" in a_msg


def test_a_kustomization_with_an_invalid_name_is_reported_and_still_simulated(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("Apps", "./apps"),
        "apps/cm.yaml": _obj("ConfigMap", "one"),
    })
    cluster = build_model(tmp_path).clusters[0]
    [w] = [w for w in cluster.warnings if w.code == _CODE]
    assert (w.file, w.line) == ("clusters/home/apps.yaml", 4)
    assert w.message.startswith("Kustomization flux-system/Apps: metadata.name: a lowercase RFC 1123 subdomain")
    assert cluster.kustomizations["flux-system/Apps"].status == "built"
