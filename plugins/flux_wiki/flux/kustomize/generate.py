"""configMapGenerator / secretGenerator and the name hash suffix, as kustomize computes them.

The hash (kustomize api/hasher) is the SHA-256 of the JSON encoding of
``{"data", "kind", "name", "type"?, "binaryData"/"stringData"?}`` with keys
sorted; kustomize looks the name up with a path that never matches, so the
name is always "". The first ten hex digits are kept, with 0 1 3 a e mapped to
g h k m t.
"""

from __future__ import annotations

import base64
import json
from collections import namedtuple
from typing import Any, Callable

_VOWELS = str.maketrans("013ae", "ghkmt")


class GeneratorError(ValueError):
    """A generator entry that cannot be built; the caller adds file and line."""


BASE64_LINE = 70


def encode_base64(raw: bytes) -> str:
    """Base64 as kustomize writes generated data (kyaml's encodeBase64): past one line, every 70 characters
    end with a line break, the last line too. The name hash is taken over this text."""
    enc = base64.b64encode(raw).decode("ascii")
    if len(enc) < BASE64_LINE:
        return enc
    return "".join(enc[i:i + BASE64_LINE] + "\n" for i in range(0, len(enc), BASE64_LINE))


def _go_json(value: Any) -> str:
    """Go's encoding/json output for plain data (sorted keys, HTML-safe escapes)."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _map_or_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): ("" if v is None else v) for k, v in value.items()}
    return "" if value is None else value


def name_hash(obj: dict[str, Any]) -> str:
    """kustomize's content hash of a ConfigMap or Secret (the generated name suffix)."""
    kind = obj.get("kind")
    if kind == "ConfigMap":
        m: dict[str, Any] = {"kind": "ConfigMap", "name": "", "data": _map_or_empty(obj.get("data"))}
        if isinstance(obj.get("binaryData"), dict):
            m["binaryData"] = obj["binaryData"]
    elif kind == "Secret":
        t = obj.get("type")
        m = {"kind": "Secret", "type": "" if t is None else t, "name": "",
             "data": _map_or_empty(obj.get("data"))}
        if isinstance(obj.get("stringData"), dict):
            m["stringData"] = obj["stringData"]
    else:
        m = obj
    import hashlib  # loads with the first generated object: OpenSSL's is a few ms most runs never need

    digest = hashlib.sha256(_go_json(m).encode("utf-8")).hexdigest()
    return digest[:10].translate(_VOWELS)


class Options(namedtuple("Options", "labels annotations disable_hash immutable")):
    """A generator's options (kustomize's GeneratorOptions), the kustomization's and its own merged."""

    __slots__ = ()

    labels: dict[str, Any]
    annotations: dict[str, Any]
    disable_hash: bool
    immutable: bool


def merge_options(global_opts: Any, local_opts: Any) -> Options:
    g = global_opts if isinstance(global_opts, dict) else {}
    loc = local_opts if isinstance(local_opts, dict) else {}
    return Options(
        labels={**(g.get("labels") or {}), **(loc.get("labels") or {})},
        annotations={**(g.get("annotations") or {}), **(loc.get("annotations") or {})},
        disable_hash=bool(g.get("disableNameSuffixHash") or loc.get("disableNameSuffixHash")),
        immutable=bool(g.get("immutable") or loc.get("immutable")),
    )


def _strip_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def parse_env(text: str) -> list[tuple[str, str]]:
    """KEY=VALUE lines of an env file as kustomize reads them (kv.KeyValuesFromLine): each line (split at
    ``\n``, a trailing ``\r`` dropped) loses its leading whitespace only, comments and blank lines are skipped, the
    key is all before the first ``=`` and the value all after it, trailing spaces kept. A line without ``=`` takes
    its value from the environment of the process that builds, kustomize-controller's, which sets no such variable:
    empty."""
    out = []
    for n, raw in enumerate(text.split("\n")):
        line = raw.removesuffix("\r")
        line = (line.removeprefix("\ufeff") if n == 0 else line).lstrip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        out.append((key, value))
    return out


def _decrypted_env(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A SOPS-encrypted env file as kustomize-controller decrypts it before the build: without the ``sops_*``
    metadata lines SOPS keeps in that format (they would be keys of the Secret, and postBuild variables)."""
    if not any(k in ("sops_mac", "sops_version") for k, _ in pairs):
        return pairs
    return [(k, v) for k, v in pairs if not k.startswith("sops_")]


def generate(kind: str, entry: dict[str, Any], global_opts: Any,
             read: Callable[[str], bytes]) -> tuple[dict[str, Any], Options]:
    """Build the ConfigMap/Secret of one generator entry; ``read`` loads a file relative to the kustomization."""
    name = entry.get("name")
    if not name:
        raise GeneratorError(f"{kind} generator entry has no name")
    pairs: list[tuple[str, bytes | str]] = []
    for n, lit in enumerate(entry.get("literals") or [], 1):
        lit = str(lit)
        if "=" not in lit:  # the text may be the value itself: never quoted
            raise GeneratorError(f"{kind} generator '{name}': literal #{n} has no '=' (expected key=value)")
        k, v = lit.split("=", 1)
        pairs.append((k, _strip_quotes(v)))
    env_files = list(entry.get("envs") or [])
    if entry.get("env"):
        env_files.append(entry["env"])
    for env in env_files:
        pairs.extend(_decrypted_env(parse_env(read(str(env)).decode("utf-8", errors="replace"))))
    for f in entry.get("files") or []:
        f = str(f)
        key, _, path = f.partition("=") if "=" in f else (f.rsplit("/", 1)[-1], "", f)
        pairs.append((key, read(path)))
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    for k, v in pairs:
        if kind == "Secret":
            raw = v.encode("utf-8") if isinstance(v, str) else v
            data[k] = encode_base64(raw)
        elif isinstance(v, bytes):
            try:
                data[k] = v.decode("utf-8")
            except UnicodeDecodeError:
                binary[k] = encode_base64(v)
        else:
            data[k] = v
    opts = merge_options(global_opts, entry.get("options"))
    md: dict[str, Any] = {"name": str(name)}
    if entry.get("namespace"):
        md["namespace"] = str(entry["namespace"])
    if opts.labels:
        md["labels"] = {str(k): str(v) for k, v in opts.labels.items()}
    if opts.annotations:
        md["annotations"] = {str(k): str(v) for k, v in opts.annotations.items()}
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": md}
    if data:
        obj["data"] = data
    if binary:
        obj["binaryData"] = binary
    if kind == "Secret":
        obj["type"] = str(entry.get("type") or "Opaque")
    if opts.immutable:
        obj["immutable"] = True
    return obj, opts
