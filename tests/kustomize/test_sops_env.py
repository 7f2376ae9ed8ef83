"""A secretGenerator reading a SOPS-encrypted env file: kustomize-controller decrypts it before the build, and
SOPS's dotenv format keeps its metadata as ``sops_*`` lines, which the decrypted file no longer has. Left in,
they became keys of the generated Secret and postBuild variables (``sops_mac``) on the pages."""

from __future__ import annotations

import base64

from flux_wiki.flux.kustomize.generate import generate

_ENCRYPTED = b"""\
DOMAIN=ENC[AES256_GCM,data:Z2VuZG9tYWlu,iv:aXY=,tag:dGFn,type:str]
sops_age__list_0__map_recipient=age1qqqq
sops_lastmodified=2024-01-01T00:00:00Z
sops_mac=ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
sops_version=3.8.1
"""


def test_sops_metadata_lines_are_not_keys() -> None:
    obj, _ = generate("Secret", {"name": "vars", "envs": ["vars.sops.env"]}, None, lambda _path: _ENCRYPTED)
    assert sorted(obj["data"]) == ["DOMAIN"]


def test_a_plain_env_file_keeps_a_key_named_like_sops() -> None:
    obj, _ = generate("ConfigMap", {"name": "vars", "envs": ["vars.env"]}, None,
                      lambda _path: b"sops_enabled=true\nA=1\n")
    assert obj["data"] == {"sops_enabled": "true", "A": "1"}
    secret, _ = generate("Secret", {"name": "s", "literals": ["sops_mac=x"]}, None, lambda _path: b"")
    assert base64.b64decode(secret["data"]["sops_mac"]) == b"x"  # a literal is never SOPS metadata
