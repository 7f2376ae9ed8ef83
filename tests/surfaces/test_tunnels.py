"""Cloudflare Tunnel routes: the hostnames a cloudflared configuration in a ConfigMap sends into the cluster."""

from __future__ import annotations

from flux_wiki.analysis.surfaces import extract_surfaces
from flux_wiki.analysis.tunnels import TunnelRule, service_target, tunnel_rules
from flux_wiki.model import Target

from .conftest import res

LAYER = "networking/cloudflared"

CONFIG = """\
tunnel: 1d1865c6-c0dd-4236-8d7d-79722940886f
credentials-file: /etc/cloudflared/creds/credentials.json
ingress:
  - hostname: "*.${SECRET_DOMAIN}"
    service: https://ingress-nginx-external-controller.networking.svc.cluster.local:443
    originRequest:
      originServerName: external.${SECRET_DOMAIN}
  - hostname: echo.example.com
    path: ^/api/.*
    service: http://echo:8080
  - hostname: ssh.example.com
    service: ssh://10.0.0.5:22
  - service: http_status:404
"""


def config_map(data: dict[str, str], kind: str = "ConfigMap"):
    r = res("v1", kind, "cloudflared-config", ns="networking", line=9,
            file="kubernetes/apps/networking/cloudflared/app/kustomization.yaml")
    r.obj["data"] = data
    return r


def test_each_rule_with_a_hostname_is_a_tunnel_route_of_the_config_map():
    out, diags = extract_surfaces(LAYER, [config_map({"config.yaml": CONFIG})], [])
    assert diags == []
    assert [(s.kind, s.host, s.path, s.target, s.object_kind, s.name, s.file, s.line) for s in out] == [
        ("tunnel", "*.${SECRET_DOMAIN}", None,
         "https://ingress-nginx-external-controller.networking.svc.cluster.local:443", "ConfigMap",
         "cloudflared-config", "kubernetes/apps/networking/cloudflared/app/kustomization.yaml", 9),
        ("tunnel", "echo.example.com", "^/api/.*", "http://echo:8080", "ConfigMap", "cloudflared-config",
         "kubernetes/apps/networking/cloudflared/app/kustomization.yaml", 9),
        ("tunnel", "ssh.example.com", None, "ssh://10.0.0.5:22", "ConfigMap", "cloudflared-config",
         "kubernetes/apps/networking/cloudflared/app/kustomization.yaml", 9)]
    # nothing of the file but its rules: no tunnel id, no credentials path
    assert "1d1865c6" not in repr(out) and "credentials" not in repr(out)


def test_a_service_url_names_the_service_by_its_cluster_dns_name():
    assert service_target("http://echo:8080") == Target("http://echo:8080", "Service", "echo", None, "8080")
    assert service_target("https://web.media.svc.cluster.local") == \
        Target("https://web.media.svc.cluster.local", "Service", "web", "media", None)
    assert service_target("http://web.media.svc:80/") == Target("http://web.media.svc:80/", "Service", "web", "media",
                                                                "80")
    # ``name.namespace`` reads like a public name: left as text, as are addresses and keywords
    for text in ("https://example.com", "http://10.0.0.5:80", "http_status:404", "hello_world",
                 "unix:/run/web.sock"):
        assert service_target(text) == Target(text)


def test_only_a_cloudflared_rule_list_is_read():
    # cloudflared refuses rules whose last one does not match every request: such a list is not its file
    assert tunnel_rules("ingress:\n  - hostname: a.example.com\n    service: http://a\n") == []
    assert tunnel_rules("ingress:\n  - hostname: a.example.com\n    service: http://a\n"
                        "  - path: /x\n    service: http_status:404\n") == []
    # a Helm values file or any other shape with an `ingress` key
    assert tunnel_rules("ingress:\n  enabled: true\n  service: web\n") == []
    assert tunnel_rules("ingress:\n  - host: a\n    service: {name: web}\n  - service: x\n") == []
    assert tunnel_rules("ingress: [\n") == []  # not YAML
    assert tunnel_rules("service: web\n") == []
    assert tunnel_rules("ingress:\n  - hostname: a.example.com\n    service: http://a\n  - service: http_status:404\n") \
        == [TunnelRule("a.example.com", None, "http://a")]


def test_a_secret_holding_the_configuration_is_never_read():
    out, _ = extract_surfaces(LAYER, [config_map({"config.yaml": CONFIG}, kind="Secret")], [])
    assert out == []


def test_an_app_template_config_map_holding_the_configuration_is_read(make_hr):
    """app-template renders each ``configMaps.<id>`` (enabled unless ``enabled: false``) with its ``data``."""
    values = {"controllers": {"cloudflared": {"containers": {"app": {"image": {"repository": "cloudflare/cloudflared"}}}}},
              "configMaps": {"config": {"data": {"config.yaml": CONFIG}},
                             "off": {"enabled": False, "data": {"config.yaml": CONFIG.replace("echo.", "off.")}}}}
    out, diags = extract_surfaces(LAYER, [], [make_hr("cloudflared", "app-template", values, ns="networking")])
    assert diags == []
    assert [(s.host, s.target, s.object_kind, s.name, s.detail) for s in out if s.kind == "tunnel"] == [
        ("*.${SECRET_DOMAIN}", "https://ingress-nginx-external-controller.networking.svc.cluster.local:443",
         "HelmRelease", "cloudflared", "values configMaps.config"),
        ("echo.example.com", "http://echo:8080", "HelmRelease", "cloudflared", "values configMaps.config"),
        ("ssh.example.com", "ssh://10.0.0.5:22", "HelmRelease", "cloudflared", "values configMaps.config")]
    assert "1d1865c6" not in repr(out)


def test_an_app_template_v1_config_map_is_read_only_when_enabled(make_hr):
    """The v1 common library renders a ``configMaps.<id>`` only with ``enabled: true``."""
    base = {"image": {"repository": "cloudflare/cloudflared", "tag": "2024.1.0"}}
    off = make_hr("cloudflared", "app-template", {**base, "configMaps": {"config": {"data": {"c.yaml": CONFIG}}}})
    on = make_hr("cloudflared", "app-template",
                 {**base, "configMaps": {"config": {"enabled": True, "data": {"c.yaml": CONFIG}}}})
    assert [s for s in extract_surfaces(LAYER, [], [off])[0] if s.kind == "tunnel"] == []
    assert len([s for s in extract_surfaces(LAYER, [], [on])[0] if s.kind == "tunnel"]) == 3
