"""Ingress and Gateway API host names are judged as the API server sees them: after postBuild substitution. A
host that is invalid only once substituted is a warning at its line; one that is valid only once substituted
(``${APP}.example.com``) is none; one still holding a Secret's variable is not known and not judged."""

from __future__ import annotations

import textwrap
from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write

POST_BUILD = """
    postBuild:
      substitute: {GOOD: web, BAD: Web_App, IP: 10.0.0.9}
      substituteFrom: [{kind: Secret, name: private}]
    """


def ingress(name: str, host: str) -> str:
    return textwrap.dedent(f"""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {{name: {name}, namespace: web}}
        spec:
          rules:
            - host: "{host}"
              http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: web, port: {{number: 80}}}}}}}}]}}
        """)


def route(name: str, host: str) -> str:
    return textwrap.dedent(f"""\
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {{name: {name}, namespace: web}}
        spec:
          hostnames:
            - "{host}"
        """)


def host_warnings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    repo = gotk()
    repo.update({"clusters/home/apps.yaml": ks("apps", "./apps", extra=POST_BUILD),
                 "apps/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: private, namespace: flux-system}\n"
                                     "stringData: {HIDDEN: x}\n", **files})
    [cluster] = build_model(write(tmp_path, repo)).clusters
    return sorted((w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED")


def test_a_host_invalid_only_after_substitution_is_a_warning_at_its_line(tmp_path: Path) -> None:
    found = host_warnings(tmp_path, {"apps/bad.yaml": ingress("bad", "${BAD}.example.com"),
                                     "apps/ip.yaml": ingress("ip", "${IP}"),
                                     "apps/route.yaml": route("route", "${BAD}.example.com")})
    assert [(f, line) for f, line, _ in found] == [("apps/bad.yaml", 6), ("apps/ip.yaml", 6), ("apps/route.yaml", 6)]
    bad, ip, rte = (m for _, _, m in found)
    assert "spec.rules[0].host: a lowercase RFC 1123 subdomain" in bad and "after postBuild substitution" in bad
    assert "must be a DNS name, not an IP address" in ip
    assert "spec.hostnames[0]" in rte and "Web_App" not in bad + ip + rte  # the rule, never the value


def test_a_host_valid_after_substitution_or_unknown_is_fine(tmp_path: Path) -> None:
    assert host_warnings(tmp_path, {"apps/good.yaml": ingress("good", "${GOOD}.example.com"),
                                    "apps/wild.yaml": ingress("wild", "*.${GOOD}.example.com"),
                                    "apps/secret-host.yaml": ingress("hidden", "${HIDDEN}.example.com"),
                                    "apps/route.yaml": route("route", "${GOOD}.example.com")}) == []


def test_a_host_invalid_as_written_without_substitution(tmp_path: Path) -> None:
    [(file, line, message)] = host_warnings(tmp_path, {"apps/bad.yaml": ingress("bad", "Bad.example.com")})
    assert (file, line) == ("apps/bad.yaml", 6) and "after postBuild substitution" not in message
