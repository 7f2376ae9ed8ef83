"""A HelmRelease: its spec typed (:class:`HelmReleaseSpec`), and what it installs: chart, version, source and
values, as helm-controller resolves them. Loaded with the first HelmRelease a repository holds.

Values follow fluxcd/pkg ``chartutil.ChartValuesFromReferences``: each
``valuesFrom`` entry is merged in order (a ``targetPath`` entry first merges the
inline values, then sets one value at that path with Helm's ``--set`` typing),
and the inline ``spec.values`` are merged last. Secret values are never read.
"""

from __future__ import annotations

import re
from collections import namedtuple
from typing import Any, Callable

import yaml

from ..load.yamldocs import MAX_DEPTH, copy_data, load_text
from ..model import Diagnostic, HelmReleaseInfo, Resource, SourceInfo, object_ident, value_at
from .fields import holds_variable
from .objects import kube_config_ref, scalar_field, str_field
from .schema import FieldProblem, helm_release_problems
from .sources import SOURCE_KINDS, misgrouped, wrong_source_message

DEFAULT_VALUES_KEY = "values.yaml"

FindObject = Callable[[str, str, str], Resource | None]
FindSource = Callable[[str, str, str], SourceInfo | None]


class ArtifactChart(namedtuple("ArtifactChart", "chart version limit failure", defaults=(None, None, None, None))):
    """The chart an ExternalArtifact holds (helm-controller ≥ 1.4 takes one as ``chartRef``): the name and version
    of its ``Chart.yaml``, or why flux-wiki does not read it (``limit``), or why Flux never gets the artifact
    (``failure``)."""

    __slots__ = ()

    chart: str | None
    version: str | None
    limit: str | None
    failure: str | None


FindArtifactChart = Callable[[str, str], ArtifactChart]


# -- the spec, typed ----------------------------------------------------------------------------------

class ObjectRef(namedtuple("ObjectRef", "kind namespace name")):
    """A reference to another object (a chart's ``sourceRef``, ``chartRef``)."""

    __slots__ = ()

    kind: str  # "" when unset
    namespace: str  # the referrer's namespace when unset
    name: str  # "" when unset

    @classmethod
    def parse(cls, ref: Any, namespace: str) -> ObjectRef:
        if not isinstance(ref, dict):
            return cls("", namespace, "")
        return cls(str_field(ref.get("kind")), str_field(ref.get("namespace")) or namespace, str_field(ref.get("name")))


_PACKAGED_SOURCE_KINDS = ("GitRepository", "Bucket")  # sources whose chart folders source-controller packages


class ChartTemplate(namedtuple("ChartTemplate", "chart version source_ref chart_unset")):
    """A chart to fetch from a source: a HelmRelease's ``spec.chart.spec``, or a HelmChart's spec."""

    __slots__ = ()

    chart: str | None  # None when unset or not a scalar
    version: str  # "*" (the latest) when unset, and for a chart of a GitRepository or Bucket
    source_ref: ObjectRef
    chart_unset: bool  # ``chart`` is missing or empty (one of the wrong shape counts as set)

    @classmethod
    def parse(cls, spec: dict[str, Any], namespace: str) -> ChartTemplate:
        """``version`` is ``*`` for a chart of a GitRepository or Bucket: source-controller ignores spec.version
        there and packages the folder with its Chart.yaml's version (shown when flux-wiki reads that folder)."""
        source_ref = ObjectRef.parse(spec.get("sourceRef"), namespace)
        stated = None if source_ref.kind in _PACKAGED_SOURCE_KINDS else scalar_field(spec.get("version"))
        return cls(scalar_field(spec.get("chart")), stated or "*", source_ref, spec.get("chart") in (None, ""))


# Masterminds/semver v3 (constraints.go), which source-controller parses a HelmRepository chart's version with:
# each `||` part is one or more `op version` terms; `a - b` ranges are rewritten first
_SEMVER_OPS = r"=|!=|>|<|>=|=>|<=|=<|~|~>|\^|"
_SEMVER_CV = (r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
              r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?")
_SEMVER_RANGE = rf"\s*({_SEMVER_CV})\s+-\s+({_SEMVER_CV})\s*"
_SEMVER_VALID = rf"^(\s*({_SEMVER_OPS})\s*({_SEMVER_CV})\s*\,?)+$"
# one term as _SEMVER_VALID takes it: an optional operator, up to three numbers, a pre-release (Go's \s is ASCII)
_PLAIN_VERSION = re.compile(r"(?:=|!=|>|<|>=|=>|<=|=<|~|~>|\^)?[\t\n\f\r ]*v?[0-9]+(?:\.[0-9]+){0,2}"
                            r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")


def version_range_error(version: str) -> str | None:
    """Why Masterminds/semver's NewConstraint refuses ``version`` ("improper constraint: <part>"), or None.
    The patterns run on RE2 (:mod:`.goregexp`): a version is repository input and the validity pattern repeats
    a group of optional parts. A plain version or one term (``1.2.3``, ``v2``, ``>=1.0.0-alpha``), most charts'
    and what the patterns accept at once (no range, no ``||``), is answered without them: RE2's wrapper costs
    ~30 us a call, and loading google-re2 a few ms."""
    if _PLAIN_VERSION.fullmatch(version):
        return None
    from .goregexp import compile_go

    rewritten = compile_go(_SEMVER_RANGE).sub(lambda m: f">= {m.group(1)}, <= {m.group(11)}", version)
    for part in rewritten.split("||"):
        if compile_go(_SEMVER_VALID).search(part) is None:
            return f"improper constraint: {part}"
    return None


class ValuesReference(namedtuple("ValuesReference", "kind name values_key target_path optional")):
    """One ``spec.valuesFrom`` entry."""

    __slots__ = ()

    kind: str  # ConfigMap or Secret ("" when unset)
    name: str
    values_key: str  # values.yaml when unset
    target_path: str  # "" when unset: the whole key is merged as values
    optional: bool


class HelmReleaseSpec(namedtuple("HelmReleaseSpec",
                                 "chart chart_ref declares_chart values values_from depends_on target_namespace")):
    """The fields of a HelmRelease's spec (v2, v2beta1, v2beta2) that say what it installs."""

    __slots__ = ()

    chart: ChartTemplate | None  # ``spec.chart.spec``, when a mapping
    chart_ref: ObjectRef | None  # ``spec.chartRef``, when a mapping
    declares_chart: bool  # ``spec.chart`` or ``spec.chartRef`` is set, whatever its shape
    values: dict[str, Any]  # ``spec.values``; {} when unset
    values_from: tuple[ValuesReference, ...]
    depends_on: tuple[str, ...]  # ``namespace/name`` of each dependency, in order
    target_namespace: str  # "" when unset

    @classmethod
    def parse(cls, spec: Any, namespace: str, api_version: str = "") -> tuple[HelmReleaseSpec, list[FieldProblem]]:
        """The typed form of a HelmRelease's ``spec``, and what the CRD schema of ``api_version`` refuses in it.

        A field of the wrong shape (a problem) counts as unset, down to the single field.
        """
        found = helm_release_problems(spec, api_version)
        if not isinstance(spec, dict):
            spec = {}
        chart = spec.get("chart")
        template = chart.get("spec") if isinstance(chart, dict) else None
        chart_ref = spec.get("chartRef")
        values = spec.get("values")
        values_from = spec.get("valuesFrom") if isinstance(spec.get("valuesFrom"), list) else []
        return cls(
            chart=ChartTemplate.parse(template, namespace) if isinstance(template, dict) else None,
            chart_ref=ObjectRef.parse(chart_ref, namespace) if isinstance(chart_ref, dict) else None,
            declares_chart=chart is not None or chart_ref is not None,
            values=values if isinstance(values, dict) else {},
            values_from=tuple(_values_reference(r) for r in values_from if isinstance(r, dict)),
            depends_on=tuple(_helm_dependencies(spec.get("dependsOn"), namespace)),
            target_namespace=str_field(spec.get("targetNamespace")),
        ), found


def _values_reference(ref: dict[str, Any]) -> ValuesReference:
    return ValuesReference(str_field(ref.get("kind")), str_field(ref.get("name")),
                           str_field(ref.get("valuesKey")) or DEFAULT_VALUES_KEY, str_field(ref.get("targetPath")),
                           ref.get("optional") is True)


def _helm_dependencies(deps: Any, namespace: str) -> list[str]:
    """``dependsOn`` as ``namespace/name`` (:func:`object_ident`): entries are references, or (v2beta1) ``name``/
    ``namespace/name``."""
    out: list[str] = []
    if not isinstance(deps, list):
        return out
    for dep in deps:
        if isinstance(dep, dict) and str_field(dep.get("name")):
            out.append(object_ident(str_field(dep.get("namespace")) or namespace, dep["name"]))
        elif isinstance(dep, str) and dep:
            out.append(dep if "/" in dep else object_ident(namespace, dep))
    return out


# -- what it installs ---------------------------------------------------------------------------------

def merge_maps(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Helm's MergeMaps: ``b`` over ``a``, recursing where both sides hold a mapping."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_maps(out[k], v)
        else:
            out[k] = v
    return out


def _typed(value: str) -> Any:
    """Helm strvals typedVal: true/false/null/0 and integers without a leading zero."""
    low = value.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if low == "null":
        return None
    if value == "0":
        return 0
    if value and value[0] != "0" and re.fullmatch(r"[+-]?[0-9]+", value):
        n = int(value)
        if -(1 << 63) <= n < (1 << 63):
            return n
    return value


# Helm's strvals limits (pkg/strvals/parser.go), which helm-controller's targetPath goes through
MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30

_SEGMENT = r"^(?P<key>.*?)(?P<idx>(\[[0-9]+\])*)$"  # compiled by `re` on first use


def set_path_value(values: dict[str, Any], path: str, raw: str) -> None:
    """Set ``raw`` at the dot path (``a.b[0].c``, ``\\.`` escapes a dot) as helm-controller's targetPath does.

    A value wrapped in quotes is kept as a string; otherwise it is typed like
    ``helm --set``. Raises ValueError for a path it cannot follow.
    """
    if raw[:1] in ("'", '"') and raw[-1:] == raw[:1] and len(raw) >= 2:
        value: Any = raw.strip("'\"")
    else:
        value = _typed(raw)
    parts = [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", path)]
    steps: list[str | int] = []
    for part in parts:
        m = re.match(_SEGMENT, part)
        if not m or not m.group("key"):
            raise ValueError(f"invalid targetPath '{path}'")
        steps.append(m.group("key"))
        steps.extend(int(i) for i in re.findall(r"\[([0-9]+)\]", m.group("idx")))
    if len(parts) - 1 > MAX_NESTED_NAME_LEVEL:
        raise ValueError(f"value name nested level is greater than maximum supported nested level of "
                         f"{MAX_NESTED_NAME_LEVEL}")
    big = next((s for s in steps if isinstance(s, int) and s > MAX_INDEX), None)
    if big is not None:
        raise ValueError(f"index of {big} is greater than maximum supported index of {MAX_INDEX}")
    if len(steps) > MAX_DEPTH:
        raise ValueError(f"targetPath '{path[:80]}' nests deeper than {MAX_DEPTH} levels")
    node: Any = values
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        nxt: Any = None if last else ([] if isinstance(steps[i + 1], int) else {})
        if isinstance(step, int):
            if not isinstance(node, list):
                raise ValueError(f"invalid targetPath '{path}'")
            while len(node) <= step:
                node.append(None)
            if last:
                node[step] = value
            elif not isinstance(node[step], type(nxt)):
                node[step] = nxt
            node = node[step]
        else:
            if not isinstance(node, dict):
                raise ValueError(f"invalid targetPath '{path}'")
            if last:
                node[step] = value
            elif not isinstance(node.get(step), type(nxt)):
                node[step] = nxt
            node = node[step]


def _oci_chart_name(url: str | None) -> str | None:
    if not url:
        return None
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return tail.split("@", 1)[0].split(":", 1)[0] or None


def _oci_version(info: SourceInfo) -> str | None:
    """The ref source-controller pulls: a digest takes precedence over semver, semver over tag (OCIRepositoryRef)."""
    for key in ("digest", "semver", "tag"):
        if info.ref.get(key):
            return str(info.ref[key])
    return None


class _Builder:
    def __init__(self, res: Resource, spec: HelmReleaseSpec, find_object: FindObject, find_source: FindSource,
                 find_artifact_chart: FindArtifactChart | None = None,
                 source_hint: Callable[[str, str, str], str] | None = None,
                 load: Callable[[str], Any] = load_text,
                 values_hint: Callable[[str, str], str] | None = None) -> None:
        self.res = res
        self.load = load
        self.source_hint = source_hint
        self.values_hint = values_hint
        self.find_artifact_chart = find_artifact_chart
        self.spec = spec
        self.find_object = find_object
        self.find_source = find_source
        self.ns = res.namespace
        self.diags: list[Diagnostic] = []
        self.chart: str | None = None
        self.version: str | None = None
        self.source: tuple[str | None, str | None, str | None] = (None, None, None)
        self.source_url: str | None = None
        self.refused: set[tuple[str | int, ...]] = set()  # field paths the API server already refuses

    def warn(self, message: str, code: str, ref_namespace: str = "", cls: str | None = None) -> None:
        self.diags.append(Diagnostic(self.res.file, self.res.line, f"HelmRelease {self.res.ident()}: {message}",
                                     code=code, ref_namespace=ref_namespace, **({"cls": cls} if cls else {})))

    # -- chart -------------------------------------------------------------
    def resolve_chart(self) -> None:
        if self.spec.chart is not None:
            self.chart_from_template(self.spec.chart)
        elif self.spec.chart_ref is not None:
            self.chart_from_ref(self.spec.chart_ref)
        elif not self.spec.declares_chart and not self.refused & {("spec",), ("spec", "chart")}:
            self.warn("has neither spec.chart.spec nor spec.chartRef", "FW-HELM-INVALID")

    def lookup_source(self, kind: str, ns: str, name: str) -> SourceInfo | None:
        self.source = (kind or None, ns or None, name or None)
        info = self.find_source(kind, ns, name) if kind and name else None
        wrong = self.find_object(kind, ns, name) if info is None and kind in SOURCE_KINDS and name else None
        if wrong is not None and misgrouped(wrong):
            self.diags.append(Diagnostic(wrong.file, wrong.line, f"{wrong_source_message(wrong)}, so HelmRelease "
                                         f"{self.res.ident()} fails (source not found)", code="FW-SOURCE-INVALID"))
        elif info is None:
            hint = self.source_hint(kind, ns, name) if self.source_hint and kind and name else ""
            self.warn(f"source {kind or '?'} {ns}/{name or '?'} not found{hint}", "FW-HELM-SOURCE-MISSING", ns)
        else:
            self.source_url = info.url
        return info

    def chart_from_template(self, template: ChartTemplate) -> None:
        self.chart, self.version = template.chart, template.version
        if template.chart_unset and ("spec", "chart", "spec", "chart") not in self.refused:
            self.warn("spec.chart.spec.chart is empty", "FW-HELM-INVALID")
        ref = template.source_ref
        self.lookup_source(ref.kind, ref.namespace, ref.name)

    def chart_from_ref(self, ref: ObjectRef) -> None:
        kind, ns, name = ref.kind, ref.namespace, ref.name
        if kind == "OCIRepository":
            info = self.lookup_source(kind, ns, name)
            if info is not None:
                self.chart = _oci_chart_name(info.url)
                self.version = _oci_version(info)
        elif kind == "HelmChart":
            self.source = (kind, ns, name or None)
            obj = self.find_object(kind, ns, name)
            if obj is None:
                hint = self.source_hint(kind, ns, name) if self.source_hint and name else ""
                self.warn(f"chartRef HelmChart {ns}/{name} not found{hint}", "FW-HELM-SOURCE-MISSING", ns)
                return
            helm_chart = ChartTemplate.parse(obj.spec, obj.namespace or ns)
            self.chart, self.version = helm_chart.chart, helm_chart.version
            source = helm_chart.source_ref
            info = self.find_source(source.kind, source.namespace, source.name) if source.kind and source.name else None
            self.source_url = info.url if info else None
        elif kind == "ExternalArtifact":
            self.chart_from_artifact(ns, name)
        else:
            self.source = (kind or None, ns, name or None)
            self.warn(f"chartRef kind '{kind}' is not OCIRepository, HelmChart or ExternalArtifact", "FW-HELM-INVALID")

    def chart_from_artifact(self, ns: str, name: str) -> None:
        """An ExternalArtifact is made at run time (by source-watcher's ArtifactGenerator or another controller):
        its chart is read when flux-wiki knows the folder it is copied from, else the chart is a limit."""
        self.source = ("ExternalArtifact", ns, name or None)
        found = self.find_artifact_chart(ns, name) if self.find_artifact_chart is not None and name else \
            ArtifactChart(limit=f"ExternalArtifact {ns}/{name or '?'} is made at run time")
        if found.failure:
            self.warn(f"chartRef {found.failure}", "FW-ARTIFACT-COPY-MISSING")
        elif found.limit:
            self.warn(f"chartRef {found.limit}; its chart is not read here", "FW-HELM-CHART-EXTERNAL", cls="limit")
        else:
            self.chart, self.version = found.chart, found.version

    # -- values ------------------------------------------------------------
    def resolve_values(self) -> tuple[dict[str, Any], list[str], list[str]]:
        inline = self.spec.values
        result: dict[str, Any] = {}
        sources: list[str] = []
        unresolved: list[str] = []
        for ref in self.spec.values_from:
            kind, name, key, target, optional = ref.kind, ref.name, ref.values_key, ref.target_path, ref.optional
            label = f"{kind} {self.ns}/{name}"
            detail = label + (f" [{key}]" if key != DEFAULT_VALUES_KEY else "") + (f" -> {target}" if target else "")
            if kind == "Secret":
                keys = _secret_keys(self.find_object("Secret", self.ns, name))
                if keys is not None and key not in keys:
                    unresolved.append(f"{detail} ({'optional, ' if optional else ''}has no key '{key}')")
                    if not optional:
                        self.warn(f"valuesFrom Secret {self.ns}/{name} has no key '{key}' (its keys: "
                                  f"{', '.join(sorted(keys)[:8]) or 'none'}): helm-controller fails the release",
                                  "FW-HELM-VALUES-MISSING", self.ns)
                    continue
                sources.append(detail)
                unresolved.append(f"{detail} (hidden)")  # which key goes where, never what it holds
                continue
            if kind != "ConfigMap":
                self.warn(f"valuesFrom kind '{kind}' is not ConfigMap or Secret", "FW-HELM-INVALID")
                unresolved.append(f"{detail} (unsupported kind)")
                continue
            obj = self.find_object("ConfigMap", self.ns, name)
            data = obj.obj.get("data") if obj is not None else None
            if not isinstance(data, dict) or key not in data:
                what = "not found" if obj is None else f"has no key '{key}'"
                unresolved.append(f"{detail} ({'optional, ' if optional else ''}{what})")
                if not optional:
                    hint = self.values_hint(self.ns, name) if obj is None and self.values_hint else ""
                    self.warn(f"valuesFrom ConfigMap {self.ns}/{name} {what}{hint}", "FW-HELM-VALUES-MISSING", self.ns)
                continue
            raw = data[key]
            raw_text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
            if target:
                result = copy_data(merge_maps(result, inline))  # set_path_value edits in place
                try:
                    set_path_value(result, target, raw_text)
                except ValueError as err:
                    self.warn(f"valuesFrom {detail}: {err}", "FW-HELM-VALUES-INVALID")
                    unresolved.append(f"{detail} (invalid targetPath)")
                    continue
                sources.append(detail)
                continue
            parsed = self.parse_values(raw_text, obj, detail)
            if parsed is None:
                unresolved.append(f"{detail} (invalid YAML)")
                continue
            result = merge_maps(result, parsed)
            sources.append(detail)
        if inline:
            sources.append("inline")
        # merged, not copied: below its new mappings the values share the HelmRelease's (and the ConfigMaps')
        # objects, which nothing changes in place (tests/simulate/test_shared_objects.py)
        return merge_maps(result, inline), sources, unresolved

    def parse_values(self, text: str, obj: Resource, detail: str) -> dict[str, Any] | None:
        try:
            parsed = self.load(text)
        except yaml.YAMLError as err:
            problem = getattr(err, "problem", None) or str(err)
            self.diags.append(Diagnostic(obj.file, obj.line, f"{detail}: values are not valid YAML: {problem}",
                                         code="FW-HELM-VALUES-INVALID"))
            return None
        if parsed is None:
            return {}
        if not isinstance(parsed, dict):
            self.diags.append(Diagnostic(obj.file, obj.line, f"{detail}: values are not a mapping",
                                         code="FW-HELM-VALUES-INVALID"))
            return None
        return parsed


def _secret_keys(obj: Resource | None) -> set[str] | None:
    """The key names of a Secret from the repository (``data`` and ``stringData``, which the API server merges;
    a SOPS-encrypted one keeps its key names in clear), None when they are not known."""
    if obj is None:
        return None
    parts = [obj.obj.get(field) for field in ("data", "stringData") if field in obj.obj]
    if not all(isinstance(p, dict) or p is None for p in parts):
        return None
    return {str(k) for p in parts if p for k in p}


def helm_release_info(res: Resource, find_object: FindObject, find_source: FindSource,
                      locate: Callable[[tuple[str | int, ...]], int] | None = None,
                      find_artifact_chart: FindArtifactChart | None = None,
                      source_hint: Callable[[str, str, str], str] | None = None, substituted: bool = False,
                      load: Callable[[str], Any] = load_text,
                      values_hint: Callable[[str, str], str] | None = None) -> tuple[HelmReleaseInfo, list[Diagnostic]]:
    """Chart, version, source, dependencies and merged values of a HelmRelease (v2, v2beta1, v2beta2).

    ``find_object(kind, namespace, name)`` finds ConfigMaps and HelmCharts;
    ``find_source(kind, namespace, name)`` finds Flux sources; ``find_artifact_chart(namespace, name)`` the chart
    of an ExternalArtifact (without it, such a chart is a limit); ``source_hint(kind, namespace, name)`` what to add
    to a missing source's message (a namesake in another namespace), ``values_hint(namespace, name)`` to a missing
    valuesFrom ConfigMap's (one a generator named with a hash suffix). Problems are
    returned as diagnostics at the HelmRelease's file:line (``locate(field path)``, when given, finds
    the line of a field); this never raises for bad input. ``substituted``: the Kustomization applying it ran
    postBuild substitution, so a field still holding a ``${VAR}`` has a value flux-wiki does not know.
    ``load`` parses a values text (:func:`load_text`, or a parse cache's ``loaded_text``, whose data is shared).
    """
    spec, found = HelmReleaseSpec.parse(res.obj.get("spec"), res.namespace, res.api_version)
    if substituted:
        found = [p for p in found if not holds_variable(value_at(res.obj, p.path)[1])]
    b = _Builder(res, spec, find_object, find_source, find_artifact_chart, source_hint, load, values_hint)
    b.refused = {p.path for p in found}
    for problem in found[:5]:
        b.diags.append(Diagnostic(res.file, locate(problem.path) if locate else res.line,
                                  f"HelmRelease {res.ident()}: {problem} (the API server rejects it)",
                                  code="FW-SCHEMA-REJECTED"))
    b.resolve_chart()
    values, sources, unresolved = b.resolve_values()
    kind, sns, sname = b.source
    info = HelmReleaseInfo(
        namespace=res.namespace, name=res.name, chart=b.chart, version=b.version,
        source_kind=kind, source_namespace=sns, source_name=sname, source_url=b.source_url,
        depends_on=list(spec.depends_on), values=values, values_sources=sources,
        unresolved_values=unresolved, file=res.file, line=res.line, kube_config=kube_config_ref(res.spec))
    return info, b.diags
