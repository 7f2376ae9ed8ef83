"""A SOPS-encrypted Secret applied by a Kustomization without ``spec.decryption``: kustomize-controller decrypts
only when a decryption provider is set (``DecryptResource``) and refuses to apply a ``v1`` Secret that still carries
its ``sops`` metadata ("is SOPS encrypted, configuring decryption is required for this secret to be reconciled"),
unless the Secret is annotated ``kustomize.toolkit.fluxcd.io/decrypt: disabled``. Seen in a home-ops tree: a
namespace's ``*.sops.yaml`` applied by the cluster-apps Kustomization, whose children got decryption by patch but
which had none itself."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.render.inventory import inventory_json
from flux_wiki.render.pages import PageRenderer, RenderOptions

from .test_simulate import gotk, ks, write

_SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: cluster-secrets
  namespace: web%s
stringData:
  DOMAIN: ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]
sops:
  age:
    - recipient: age1example
      enc: "-----BEGIN AGE ENCRYPTED FILE-----"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.9.0
"""
_DECRYPTION = "\n            decryption: {provider: sops, secretRef: {name: sops-age}}"


def _warnings(root: Path, extra: str = "", annotations: str = "") -> list:
    write(root, gotk() | {
        "clusters/home/web.yaml": ks("web", "./web", extra=extra),
        "web/secret.sops.yaml": _SECRET % annotations,
    })
    return [w for w in build_model(root).clusters[0].warnings if w.code == "FW-SOPS-NO-DECRYPTION"]


def test_an_encrypted_secret_without_decryption_fails_the_kustomization(tmp_path: Path) -> None:
    [w] = _warnings(tmp_path)
    assert (w.file, w.line, w.cls) == ("web/secret.sops.yaml", 1, "repo")
    assert "Kustomization flux-system/web has no spec.decryption" in w.message and "ENC[" not in w.message


def test_decryption_or_the_disabled_annotation_lets_it_apply(tmp_path: Path) -> None:
    assert _warnings(tmp_path / "decrypted", extra=_DECRYPTION) == []
    disabled = "\n  annotations: {kustomize.toolkit.fluxcd.io/decrypt: Disabled}"
    assert _warnings(tmp_path / "annotated", annotations=disabled) == []


def test_a_root_flux_wiki_wrote_is_not_judged(tmp_path: Path) -> None:
    """With ``entry:`` set (the bootstrap is outside the repository) the root's spec is flux-wiki's own: whether the
    real one decrypts is unknown."""
    write(tmp_path, {"clusters/home/secret.sops.yaml": _SECRET % ""})
    model = build_model(tmp_path, entry="./clusters/home")
    assert not [w for w in model.clusters[0].warnings if w.code == "FW-SOPS-NO-DECRYPTION"]


def test_a_root_that_patches_in_its_own_decryption_decrypts(tmp_path: Path) -> None:
    """The bootstrap's ``flux-system/kustomization.yaml`` patching ``spec.decryption`` into the root Kustomization it
    applies: the root runs with the spec it applies to itself."""
    write(tmp_path, gotk() | {
        "clusters/home/flux-system/kustomization.yaml": (
            "resources: [gotk-sync.yaml]\npatches:\n  - patch: |\n      - op: add\n        path: /spec/decryption\n"
            "        value: {provider: sops, secretRef: {name: sops-age}}\n"
            "    target: {kind: Kustomization, name: flux-system}\n"),
        "clusters/home/secret.sops.yaml": _SECRET % "",
    })
    assert not [w for w in build_model(tmp_path).clusters[0].warnings if w.code == "FW-SOPS-NO-DECRYPTION"]
    write(tmp_path, {"clusters/home/flux-system/kustomization.yaml": "resources: [gotk-sync.yaml]\n"})
    assert [w.code for w in build_model(tmp_path).clusters[0].warnings] == ["FW-SOPS-NO-DECRYPTION"]


# `sops --encrypt` without --encrypted-regex encrypts every value, the object's identity too; kustomize builds it
# as it is and kustomize-controller decrypts the whole document after the build (DecryptResource). Seen in a
# repo's gitops/infrastructure/external-dns/cloudflare-secret.enc.yaml.
_WHOLLY_ENCRYPTED = """\
apiVersion: ENC[AES256_GCM,data:JN4=,iv:aXY=,tag:dGFn,type:str]
kind: ENC[AES256_GCM,data:Ltyw0lqk,iv:aXY=,tag:dGFn,type:str]
metadata:
    name: ENC[AES256_GCM,data:10eW0geeWfBi%(n)s,iv:aXY=,tag:dGFn,type:str]
    namespace: ENC[AES256_GCM,data:q3jRhhdFos18pKTp,iv:aXY=,tag:dGFn,type:str]
type: ENC[AES256_GCM,data:hgJmjOJo,iv:aXY=,tag:dGFn,type:str]
stringData:
    api-token: ENC[AES256_GCM,data:3P5Ggs5pln8m,iv:aXY=,tag:dGFn,type:str]
sops:
    mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
    version: 3.13.1
"""


def _wholly_encrypted(root: Path, extra: str = ""):
    write(root, gotk() | {
        "clusters/home/web.yaml": ks("web", "./web", extra=extra),
        "web/a.enc.yaml": _WHOLLY_ENCRYPTED % {"n": "A"},
        "web/b.enc.yaml": _WHOLLY_ENCRYPTED % {"n": "B"},
    })
    return build_model(root)


def test_a_wholly_encrypted_document_shows_no_ciphertext_and_applies_with_decryption(tmp_path: Path) -> None:
    model = _wholly_encrypted(tmp_path, extra=_DECRYPTION)
    cluster = model.clusters[0]
    assert cluster.warnings == []
    web = cluster.kustomizations["flux-system/web"]
    assert len(web.resources) == 2 and all(r.encrypted for r in web.resources)
    page = PageRenderer(model.facts[cluster.name], RenderOptions()).layer_page(web).markdown
    for text in (inventory_json(model), page):
        assert "ENC[" not in text and "10eW0gee" not in text and "JN4=" not in text
    assert "a.enc.yaml" in page


def test_a_wholly_encrypted_document_without_decryption_fails_the_kustomization(tmp_path: Path) -> None:
    """Undecrypted, its apiVersion is ciphertext: the API server serves no such kind and the apply fails."""
    [w] = [w for w in _wholly_encrypted(tmp_path).clusters[0].warnings if w.code == "FW-SOPS-NO-DECRYPTION"]
    assert w.file in ("web/a.enc.yaml", "web/b.enc.yaml") and (w.line, w.cls) == (1, "repo")
    assert "(and 1 more)" in w.message and "ENC[" not in w.message


def test_a_variable_source_a_wholly_encrypted_document_may_be_is_a_limit(tmp_path: Path) -> None:
    """``cluster-secrets.sops.yaml`` encrypted whole: the Secret postBuild reads may be that document, so a
    substituteFrom nothing else provides is a simulation note naming it, not a failure."""
    write(tmp_path, gotk() | {
        "clusters/home/secrets.yaml": ks("secrets", "./secrets", extra=_DECRYPTION),
        "clusters/home/web.yaml": ks("web", "./web", deps=("secrets",), extra="""
            postBuild:
              substituteFrom: [{kind: Secret, name: cluster-secrets}]"""),
        "secrets/cluster-secrets.sops.yaml": _WHOLLY_ENCRYPTED % {"n": "A"},
        "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: web}\n",
    })
    [w] = [w for w in build_model(tmp_path).clusters[0].warnings if w.code == "FW-SUBST-FROM-MISSING"]
    assert w.cls == "limit" and "secrets/cluster-secrets.sops.yaml:1" in w.message
