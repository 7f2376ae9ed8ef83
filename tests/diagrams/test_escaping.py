"""Manifest-controlled text must neither break the DOT nor inject markup into the SVG."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flux_wiki.model import Surface, Target
from flux_wiki.render import svg as svg_mod
from flux_wiki.render.diagrams import layer_dag_dot, layer_diagram_dot, neighbourhood_dot, surface_map_dot
from flux_wiki.render.svg import SVG_NS, XLINK_NS, SvgRenderer, find_engine

from .conftest import Layer, facts_of, helm_release, make_cluster, url_for

HOSTILE = [
    'quote"d',
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "a & b",
    "&amp;",
    "&nosuch;",
    "line1\nline2\r\tx",
    "back\\slash\\",
    "\\N\\G\\L\\n",
    "{curly}|<port>",
    '"; URL="javascript:alert(1)',
    "]]><evil/>",
    "-> x; y",
    "<<html>>",
]
ALLOWED_TAGS = {"svg", "g", "title", "polygon", "path", "ellipse", "text", "a", "polyline"}
REAL_WHICH = shutil.which


def _engines() -> list[str]:
    return ["dot", "graphviz-pure"]


def _renderer(engine: str, monkeypatch: pytest.MonkeyPatch) -> SvgRenderer:
    if engine == "dot":
        if not REAL_WHICH("dot"):
            pytest.skip("Graphviz dot is not installed")
    else:
        monkeypatch.setattr(svg_mod.shutil, "which", lambda n, *a, **k: None if n == "dot" else REAL_WHICH(n))
        found = find_engine()
        if found is None or found[0] != "graphviz-pure":
            pytest.skip("graphviz-pure is not installed")
    return SvgRenderer()


def _hostile_cluster():
    layers = [Layer(f"ok-{i}", 0, namespace="apps", path=f"./p/{name}") for i, name in enumerate(HOSTILE)]
    layers += [Layer(name, 1, [f"apps/ok-{i}", f"apps/{name}-missing"], namespace="apps", reason=name,
                     status="error") for i, name in enumerate(HOSTILE)]
    cluster = make_cluster(layers)
    for name in HOSTILE:
        hr = helm_release("apps", name, name, name)
        hr.layer = "apps/" + HOSTILE[0]
        cluster.helm_releases.append(hr)
    return cluster


def _hostile_surfaces() -> list[Surface]:
    layer = "apps/" + HOSTILE[0]
    out = []
    for name in HOSTILE:
        out += [
            Surface("loadbalancer", layer, "apps", name, "Service", address=name, port=443, protocol=name,
                    targets=(Target.selected("Deployment", name),)),
            Surface("ingress", layer, "apps", name, "Ingress", host=name, path=name,
                    targets=(Target.backend(name, "80"),)),
            Surface("httproute", layer, "apps", name, "HTTPRoute", host=f"x.{name}",
                    targets=(Target.backend(name, "1", namespace="other"),)),
            Surface("workload", layer, "apps", name, "Deployment", targets=(Target(name),)),
            Surface("certificate", layer, "apps", name, "Certificate", host=name, targets=(Target(name),)),
        ]
    return out


def _check_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    tags = {el.tag.split("}", 1)[1] for el in root.iter()}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    for a in root.iter(f"{{{SVG_NS}}}a"):
        for href in (a.get("href"), a.get(f"{{{XLINK_NS}}}href")):
            assert not (href or "").lower().startswith("javascript")
    return root


def _texts(root: ET.Element) -> str:
    return "\n".join(el.text or "" for el in root.iter(f"{{{SVG_NS}}}text"))


@pytest.mark.parametrize("engine", _engines())
def test_hostile_names_render_to_well_formed_svg(engine, monkeypatch):
    renderer = _renderer(engine, monkeypatch)
    cluster = _hostile_cluster()
    surfaces = _hostile_surfaces()
    facts = facts_of(cluster)
    dots = [
        layer_dag_dot(facts, url_for),
        layer_dag_dot(facts, url_for, view="overview", group_url=lambda key: f"#{key}"),
        neighbourhood_dot(facts, "apps/" + HOSTILE[1], url_for, "../dag/"),
        layer_diagram_dot(cluster, "apps/" + HOSTILE[0], surfaces, url_for),
        surface_map_dot(cluster, surfaces, url_for),
    ]
    for dot in dots:
        result = renderer.render(dot)
        assert result.warning is None, result.warning
        root = _check_svg(result.svg)
        text = _texts(root)
        # labels show the manifest text literally (control characters become spaces)
        for literal in ("<b>bold</b>", "a & b", "&amp;", "&nosuch;", "quote\"d", "back\\slash\\"):
            if dot is dots[0]:
                assert literal in text, literal
    assert renderer.renders == len(dots)


def test_dot_has_no_html_labels_or_raw_newlines():
    cluster = _hostile_cluster()
    for dot in (layer_dag_dot(facts_of(cluster), url_for),
                layer_diagram_dot(cluster, "apps/" + HOSTILE[0], _hostile_surfaces(), url_for),
                surface_map_dot(cluster, _hostile_surfaces(), url_for)):
        assert "=<" not in dot  # every label is a quoted string, never an HTML-like label
        assert "line1\n" not in dot and "\r" not in dot and "\x00" not in dot
        assert all("\t" not in line.lstrip("\t") for line in dot.splitlines())
        assert "line1 line2 x" in dot


def _dot_parses(dot: str) -> None:
    found = find_engine()
    if found is None:
        pytest.skip("no Graphviz engine")
    proc = subprocess.run([found[1], "-Tcanon"], input=dot.encode(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"syntax error" not in proc.stderr


NAME_PIECES = st.sampled_from(list('ab-."<>&\\{}|;[]=\n\r\t #:/%$é\x00') + ["&amp;", "\\N", "<<", ">>", "&lt;"])
NAMES = st.lists(NAME_PIECES, min_size=1, max_size=6).map("".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(NAMES, min_size=1, max_size=4, unique=True))
def test_any_name_gives_parseable_dot_and_well_formed_svg(names):
    layers = [Layer(name, i, [f"flux-system/{names[i - 1]}"] if i else [], path=name) for i, name in enumerate(names)]
    cluster = make_cluster(layers)
    dot = layer_dag_dot(facts_of(cluster), url_for)
    _dot_parses(dot)
    result = SvgRenderer().render(dot)
    assert result.svg is not None, result.warning
    root = _check_svg(result.svg)
    assert len([g for g in root.iter(f"{{{SVG_NS}}}g") if (g.get("class") or "").startswith("node")]) == len(names)
