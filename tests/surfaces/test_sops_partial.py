"""A document SOPS encrypted in part (``--encrypted-regex``/``--unencrypted-regex``) keeps its clear fields: a
Service or Ingress whose ``sops:`` block covers nothing on its route still shows its surfaces, and a field SOPS
encrypted shows as hidden, never as ciphertext. A Secret never shows, clear or not."""

from __future__ import annotations

import json
from pathlib import Path

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.engine import build_model
from flux_wiki.render.inventory import inventory_json
from tests.simulate.test_simulate import gotk, ks, write

SOPS = """sops:
  age:
    - recipient: age1example
      enc: "-----BEGIN AGE ENCRYPTED FILE-----"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  encrypted_regex: '%s'
  version: 3.9.0
"""
CIPHER = "ENC[AES256_GCM,data:c2VjcmV0aG9zdA==,iv:aXY=,tag:dGFn,type:str]"
FILES = {
    # encrypted_regex '^(data|stringData)$': a Service has neither, so everything is clear
    "apps/service.sops.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: web}\n"
                              "spec: {type: LoadBalancer, loadBalancerIP: 10.0.0.9, ports: [{port: 443}]}\n"
                              + SOPS % "^(data|stringData)$",
    # encrypted_regex '^(host)$': the rule's host is ciphertext, the path and backend are clear
    "apps/ingress.sops.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: web}\n"
                              f"spec:\n  rules:\n    - host: {CIPHER}\n      http:\n        paths:\n"
                              "          - {path: /app, pathType: Prefix, backend: {service: {name: lb, port: {number: 443}}}}\n"
                              + SOPS % "^(host)$",
    "apps/secret.sops.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: web}\n"
                             f"stringData: {{token: '{CIPHER}'}}\n" + SOPS % "^(data|stringData)$",
}
DECRYPTION = "\n    decryption: {provider: sops, secretRef: {name: sops-age}}"


def test_clear_parts_of_a_partly_encrypted_document_show_and_ciphertext_never(tmp_path: Path) -> None:
    files = gotk()
    files.update({"clusters/home/apps.yaml": ks("apps", "./apps", extra=DECRYPTION), **FILES})
    repo = write(tmp_path, files)
    [cluster] = build_model(repo).clusters
    shown = {(s.object_kind, s.name): s for s in cluster.surfaces}
    assert set(shown) == {("Service", "lb"), ("Ingress", "web")}  # the Secret is never read
    lb, ingress = shown[("Service", "lb")], shown[("Ingress", "web")]
    assert (lb.address, lb.port, lb.file, lb.line) == ("10.0.0.9", 443, "apps/service.sops.yaml", 1)
    assert (ingress.host, ingress.path, ingress.target) == ("(hidden)", "/app", "lb:443")
    assert [w for w in cluster.warnings if w.cls == "repo"] == []  # the cluster decrypts it: no host to judge
    pages = WikiCompiler().compile(WikiConfig(repo=repo, diagrams=False)).pages
    everything = json.dumps(inventory_json(build_model(repo))) + "".join(p.markdown for p in pages)
    assert "ENC[" not in everything and "c2VjcmV0aG9zdA" not in everything
    assert "10.0.0.9" in everything and "/app" in everything


def test_a_field_sops_encrypted_is_not_judged_by_its_ciphertext(tmp_path: Path) -> None:
    """A port encrypted with --encrypted-regex '^port$' is ciphertext (a string) here; kustomize-controller decrypts
    it before the apply, so its type is not the API server's business yet: no warning, and the surface hides it."""
    service = ("apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: web}\nspec:\n  type: LoadBalancer\n"
               "  ports:\n    - port: ENC[AES256_GCM,data:NDQz,iv:aXY=,tag:dGFn,type:int]\n" + SOPS % "^(port)$")
    files = gotk()
    files.update({"clusters/home/apps.yaml": ks("apps", "./apps", extra=DECRYPTION), "apps/svc.yaml": service})
    [cluster] = build_model(write(tmp_path, files)).clusters
    assert [w for w in cluster.warnings if w.cls == "repo"] == []
    [surface] = cluster.surfaces
    assert (surface.port, surface.detail) == (None, "port (hidden)")
