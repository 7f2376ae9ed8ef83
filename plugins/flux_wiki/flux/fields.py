"""Reading fields of repo objects that may hold any YAML: the wrong shape reads as absent."""

from __future__ import annotations

from typing import Any


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def is_ciphertext(value: Any) -> bool:
    """A value SOPS encrypted (``ENC[AES256_GCM,data:…]``)."""
    return isinstance(value, str) and value.startswith("ENC[")


def holds_variable(value: Any) -> bool:
    """A string still holding a ``${VAR}`` reference: after postBuild substitution, a Secret's or an unset one."""
    return isinstance(value, str) and "${" in value
