"""Secret redaction: which mapping keys hold secret values, and hiding them.

A key is split into word parts (camelCase, snake_case, kebab-case, dots), so
``apiKey``, ``api_key`` and ``API-KEY`` all read as ``api key``. A key that
*names* a secret (``secretName``, ``secretRef``, ``existingSecret``,
``keySelector``, ``passwordFile``) is a reference and is shown; a key that
*holds* one (``password``, ``clientSecret``, ``privateKey``, ``token``) is not.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..flux.fields import is_ciphertext

HIDDEN = "(hidden)"

# A word part that marks the value as secret wherever it appears in the key.
_SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "passcode", "pass",
    "token", "tokens", "secret", "secrets",
    "credential", "credentials", "creds",
    "apikey", "privatekey", "secretkey", "accesskey",
    "authorization", "cookie", "salt", "pepper", "htpasswd", "dsn",
})
# Word parts that mark a secret only as the last part: ``apiKey`` is secret, ``keyFile`` is a path.
_SECRET_LAST = frozenset({"key", "keys", "auth", "pat", "pin", "psk", "seed"})
# ``<word>Key`` that names a lookup key, not key material (``topologyKey``, ``sortKey``).
# Anything else ending in ``key`` is treated as secret: hiding too much is the safe side.
_NOT_KEY_MATERIAL = frozenset({
    "topology", "label", "labels", "match", "sort", "partition", "routing", "primary", "foreign", "cache",
    "hash", "lookup", "group", "object", "config", "configmap", "map", "field", "annotation", "selector",
    "node", "shard", "sharding", "index", "host", "dedup", "idempotency", "metric", "tag", "unique",
    "composite", "public", "value", "item", "entry", "sharing", "affinity", "prefix",
})
# A last part that turns the key into a reference to a secret, not the secret itself.
_REFERENCE_LAST = frozenset({
    "name", "names", "ref", "refs", "reference", "selector", "file", "files", "path", "paths",
    "dir", "namespace", "class", "type", "enabled", "enable", "length", "policy",
    "mount", "mounts", "store", "provider", "format", "template", "field", "fields", "source",
    "sources", "volume", "header", "prefix", "suffix", "annotations", "labels",
})
_REFERENCE_FIRST = frozenset({"existing", "use", "create", "public"})
# Two-part words folded before matching, so ``api_key``/``apiKey`` behave like ``apikey``.
_FOLD = {("api", "key"), ("private", "key"), ("secret", "key"), ("access", "key")}

_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


# The key classifiers below are pure functions of the key's text, asked again for the same few thousand keys
# in every object of every build (``secret_strings`` walks all chart values): each answer is cached by key, and so
# are the word parts each of them splits the key into.
_KEY_CACHE = 8192


@functools.lru_cache(maxsize=_KEY_CACHE)
def _parts(key: str) -> tuple[str, ...]:
    if key.isascii() and key.isalpha() and key.islower():  # one word (most keys): nothing to split or fold
        return (key,)
    chunks = (key,) if key.isascii() and key.isalnum() else _NOT_WORD.split(key)  # camelCase: one chunk
    words = [w.lower() for chunk in chunks for w in _CAMEL.findall(chunk)]
    folded: list[str] = []
    for w in words:
        if folded and (folded[-1], w) in _FOLD:
            folded[-1] += w
        else:
            folded.append(w)
    return tuple(folded)


def is_secret_key(key: str) -> bool:
    """True when a mapping key of this name holds a secret value (case-insensitive, word-part aware)."""
    return isinstance(key, str) and _is_secret_key(key)


@functools.lru_cache(maxsize=_KEY_CACHE)
def _is_secret_key(key: str) -> bool:
    if "/" in key:  # a qualified annotation/label name: 'secret.reloader.stakater.com/reload' -> 'reload'
        key = key.rsplit("/", 1)[1]
    parts = _parts(key)
    if not parts:
        return False
    if parts[-1] in _REFERENCE_LAST or parts[0] in _REFERENCE_FIRST:
        return False
    if not _SECRET_WORDS.isdisjoint(parts):
        return True
    if parts[-1] in ("key", "keys") and len(parts) > 1 and parts[-2] in _NOT_KEY_MATERIAL:
        return False
    return parts[-1] in _SECRET_LAST


def names_secret(key: str) -> bool:
    """A secret-like key that says so outright (``DB_PASSWORD``, ``API_TOKEN``, ``SECRET_DOMAIN``).

    Stricter than :func:`is_secret_key`, which also takes a trailing ``key`` for key material: a
    substitution variable such as ``LB_SHARE_KEY`` (MetalLB's shared-IP key) stays readable.
    """
    return isinstance(key, str) and _names_secret(key)


@functools.lru_cache(maxsize=_KEY_CACHE)
def _names_secret(key: str) -> bool:
    if not _is_secret_key(key):
        return False
    return not _SECRET_WORDS.isdisjoint(_parts(key.rsplit("/", 1)[-1]))


def is_reference_key(key: str) -> bool:
    """A key whose value points at a secret rather than holding it (``valueFrom``, ``secretKeyRef``, ``existingSecret``)."""
    return isinstance(key, str) and _is_reference_key(key)


@functools.lru_cache(maxsize=_KEY_CACHE)
def _is_reference_key(key: str) -> bool:
    parts = _parts(key.rsplit("/", 1)[-1])
    if parts == ("value", "from"):
        return True
    names_secret = not (_SECRET_WORDS.isdisjoint(parts) and _SECRET_LAST.isdisjoint(parts))
    return names_secret and not _is_secret_key(key)


def _named_secret(mapping: dict[str, Any]) -> bool:
    """An env-style entry ``{name: DB_PASSWORD, value: ...}`` whose ``value`` is the secret."""
    return "value" in mapping and isinstance(mapping.get("name"), str) and is_secret_key(mapping["name"])


_URL_USERINFO = r"((?:git::)?[A-Za-z][A-Za-z0-9+.-]*://)([^/?#@\s\"'<>]*)@"  # [git::]scheme://userinfo@


def _hide_userinfo(found: re.Match[str]) -> str:
    scheme, userinfo = found.group(1), found.group(2)
    if scheme.lower().removeprefix("git::") in ("http://", "https://"):
        return f"{scheme}{HIDDEN}@"
    if ":" in userinfo:
        return f"{scheme}{userinfo.split(':', 1)[0]}:{HIDDEN}@"
    return found.group(0)


def url_without_credentials(url: str) -> str:
    """``url`` with the credentials written into it hidden: all user information of an HTTP(S) URL (a token may be
    the user name), the password of any other (``ssh://git@host`` keeps its conventional user)."""
    return re.sub("^" + _URL_USERINFO, _hide_userinfo, url, count=1)


def hide_url_credentials(text: str) -> str:
    """``text`` with :func:`url_without_credentials` applied to every URL in it."""
    return re.sub(_URL_USERINFO, _hide_userinfo, text)


def is_secret_payload(value: Any) -> bool:
    """A string that is itself secret material whatever its key: a SOPS ``ENC[...]`` value or a PEM key."""
    return is_ciphertext(value) or (isinstance(value, str) and "PRIVATE KEY-----" in value)


def hide_values(value: Any) -> Any:
    """A copy of ``value`` with every leaf but booleans and nulls replaced by ``HIDDEN`` (structure kept)."""
    if isinstance(value, dict):
        return {k: hide_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hide_values(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    return HIDDEN


def without_ciphertext(value: Any) -> Any:
    """A copy of a SOPS document as far as it is clear text: its ``sops`` metadata dropped, every value SOPS
    encrypted (``--encrypted-regex`` and ``--unencrypted-regex`` leave the others clear) ``HIDDEN``."""
    if isinstance(value, dict):
        return {k: without_ciphertext(v) for k, v in value.items() if k != "sops"}
    if isinstance(value, list):
        return [without_ciphertext(v) for v in value]
    return HIDDEN if is_secret_payload(value) else value


def redact_mapping(value: Any) -> Any:
    """A deep copy in which every value under a secret-like key (at any depth) becomes ``HIDDEN``.

    Structure is kept (nested keys stay visible, booleans and nulls stay as they are);
    SOPS-encrypted strings and PEM private keys are hidden wherever they are.
    """
    if isinstance(value, dict):
        named = _named_secret(value)
        return {k: hide_values(v) if is_secret_key(k) or (named and k == "value") else redact_mapping(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact_mapping(v) for v in value]
    if is_secret_payload(value):
        return HIDDEN
    return value


# (is_reference_key, is_secret_key) of each mapping key secret_strings met: one dict lookup per key of the
# chart values it walks, instead of two calls through the classifiers' caches
_KEY_KINDS: dict[Any, tuple[bool, bool]] = {}


def _key_kind(key: Any) -> tuple[bool, bool]:
    kind = (is_reference_key(key), is_secret_key(key))
    if len(_KEY_KINDS) < _KEY_CACHE:
        _KEY_KINDS[key] = kind
    return kind


def secret_strings(value: Any) -> set[str]:
    """Every string or number held under a secret-like key (or that is a secret payload), as text.

    Stricter about what counts than :func:`redact_mapping`: below a reference key (``valueFrom``,
    ``secretKeyRef``) the strings name a secret and are not collected, so they do not hide other fields.
    """
    found: set[str] = set()
    kinds = _KEY_KINDS

    def leaf(v: Any, hidden: bool) -> None:
        if v is not None and not isinstance(v, bool) and (hidden or is_secret_payload(v)):
            text = str(v)
            if text:
                found.add(text)

    # (value, hidden, below a reference key); the order of the walk does not matter to a set. Chart values
    # are large, so a value that is neither hidden nor a payload is passed over without a call.
    stack: list[tuple[Any, bool, bool]] = [(value, False, False)]
    while stack:
        v, hidden, in_ref = stack.pop()
        if isinstance(v, dict):
            named = "value" in v and _named_secret(v)
            for k, item in v.items():
                kind = kinds.get(k)
                if kind is None:
                    kind = _key_kind(k)
                ref = in_ref or kind[0]
                below = not ref and (hidden or kind[1] or (named and k == "value"))
                if isinstance(item, (dict, list)):
                    stack.append((item, below, ref))
                elif below or (isinstance(item, str) and (item.startswith("ENC[") or "PRIVATE KEY-----" in item)):
                    leaf(item, below)  # else neither hidden nor a payload (only a string is one): not collected
        elif isinstance(v, list):
            stack.extend((item, hidden, in_ref) for item in v)
        else:
            leaf(v, hidden)
    return found


# ``key: value`` / ``KEY=value`` on one line (YAML, env files, INI): prefix, key, separator, value.
_KEY_VALUE_LINE = r"""^(\s*(?:-\s+)?(?:export\s+)?["']?)([\w./-]+)(["']?\s*[:=][ \t]*)(.*?)(\r?\n?)$"""
_PAYLOAD = r"(?s)ENC\[[^\]]*\]|-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)"
_MIN_MATCHED = 4  # structural secret strings shorter than this are too common to replace as text


def _hide_lines(text: str) -> str:
    """Values on lines keyed like secrets, and the lines nested under such a key, as ``HIDDEN``."""
    out: list[str] = []
    under: int | None = None  # indentation of a secret key whose value continues on the next lines
    for line in text.splitlines(keepends=True):
        indent = len(line) - len(line.lstrip())
        if under is not None:
            if not line.strip() or indent > under:
                out.append(line if not line.strip() else line[:indent] + HIDDEN + "\n")
                continue
            under = None
        m = re.match(_KEY_VALUE_LINE, line)
        if m and is_secret_key(m.group(2)):
            value = m.group(4).strip()
            if value in ("", "|", ">") or value[:1] in "|>" and value[1:].strip("+-0123456789") == "":
                under = indent
            else:
                line = m.group(1) + m.group(2) + m.group(3) + HIDDEN + m.group(5)
        out.append(line)
    return "".join(out)


def redact_texts(*texts: str) -> tuple[str, ...] | None:
    """The texts (versions of one file) with every secret value replaced by ``HIDDEN``, for a diff or an
    excerpt; None when they hold a Secret or a SOPS-encrypted document, of which nothing may be shown.

    Secret values: on a line keyed like a secret (any text format) and below it, found by structure in
    YAML and JSON (``{name: DB_PASSWORD, value: …}``, values nested under a secret key), SOPS and PEM payloads.
    """
    from ..load.yamldocs import parse_documents
    from ..model import InputError

    found: set[str] = set()
    for text in texts:
        try:
            docs = parse_documents(text, "")
        except (InputError, RecursionError, ValueError):
            docs = []  # not YAML: the line rules are what can be known
        for d in docs:
            if isinstance(d.data, dict) and (d.data.get("kind") == "Secret" or "sops" in d.data):
                return None
            found |= secret_strings(d.data)
    pieces = sorted({p.strip() for s in found for p in s.splitlines() if len(p.strip()) >= _MIN_MATCHED},
                    key=len, reverse=True)
    matched = re.compile("|".join(map(re.escape, pieces))) if pieces else None
    out = []
    for text in texts:
        text = hide_url_credentials(re.sub(_PAYLOAD, HIDDEN, _hide_lines(text)))
        out.append(matched.sub(HIDDEN, text) if matched else text)
    return tuple(out)
