"""Cloudflare Tunnel routes: the public hostnames a cloudflared configuration file sends into the cluster.

cloudflared reads its rules from the file ``--config`` names, in a cluster mostly a ConfigMap key mounted into its
pod (a ``configMapGenerator`` file, or a chart's ``configMaps``). The file's ``ingress`` is a list of rules, each a
``service`` (``http://web.default.svc.cluster.local:80``, ``http_status:404``, ...) with an optional ``hostname``
and ``path``; cloudflared refuses a list whose last rule matches less than every request (its ingress package:
"The last ingress rule must match all URLs"), so only a list of such rules that ends with a catch-all is taken for
a cloudflared file. A Secret is never read (its data never reaches a page).
"""

from __future__ import annotations

import re
from collections import namedtuple
from typing import Any

import yaml

from ..load.yamldocs import load_text
from ..model import Target

# a rule's service URL naming a Service by its cluster DNS name: name (the tunnel's own namespace) or
# name.namespace.svc[.cluster.local]; ``name.namespace`` alone is left as text (``example.com`` reads the same).
# Compiled by re.fullmatch at its first use (re caches it): most repositories have no tunnel.
_SERVICE_URL = (r"(?:https?|tcp|ssh|rdp|smb)://(?P<name>[a-z0-9]([-a-z0-9]*[a-z0-9])?)"
                r"(?:\.(?P<namespace>[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?)?"
                r"(?::(?P<port>\d+))?/?")


class TunnelRule(namedtuple("TunnelRule", "host path service")):
    """One rule of a cloudflared ``ingress`` list that names a hostname."""

    __slots__ = ()

    host: str
    path: str | None
    service: str


def tunnel_rules(text: str) -> list[TunnelRule]:
    """The rules with a hostname of a cloudflared configuration ``text``; [] when it is not one."""
    if "ingress" not in text or "service" not in text:  # most ConfigMap values: not parsed at all
        return []
    try:
        config = load_text(text)
    except yaml.YAMLError:
        return []
    rules = config.get("ingress") if isinstance(config, dict) else None
    if not isinstance(rules, list) or not rules:
        return []
    if not all(isinstance(r, dict) and isinstance(r.get("service"), str) for r in rules):
        return []
    last = rules[-1]
    if last.get("hostname") not in (None, "", "*") or last.get("path") not in (None, ""):
        return []
    return [TunnelRule(r["hostname"], str(r["path"]) if r.get("path") else None, r["service"])
            for r in rules if isinstance(r.get("hostname"), str) and r["hostname"] not in ("", "*")]


def service_target(service: str) -> Target:
    """What a rule's ``service`` leads to, shown as written: the Service its URL names by cluster DNS name, else
    the text alone (``http_status:404``, an address outside the cluster)."""
    m = re.fullmatch(_SERVICE_URL, service)
    if m is None:
        return Target(service)
    return Target(service, "Service", m["name"], m["namespace"], m["port"])


def config_texts(obj: dict[str, Any]) -> list[str]:
    """The text values of a ConfigMap's ``data``."""
    data = obj.get("data")
    return [v for v in data.values() if isinstance(v, str)] if isinstance(data, dict) else []
