"""Field shapes of every object the engine reads, checked once, where each object is first read.

A shape is a small table: ``STR``/``INT``/``BOOL``/``ANY``, ``seq(shape)``, ``mapping(shape)`` (string
keys to one shape), ``either(a, b)``, ``one_of(*strings)`` (a CRD enum), or a dict of field -> shape (a field
ending in ``!`` is required; unknown fields pass). ``null`` is "unset" everywhere, as it is for Go's JSON
decoder and for the API server (which prunes nulls of a structural schema). A YAML timestamp counts as a
string: sigs.k8s.io/yaml keeps it one.

The tables follow the Go types and CRD schemas Flux uses, for the fields the engine reads and the
simple fields around them. What a problem means depends on who reads the object:

- a kustomization file is decoded by kustomize (and by Flux's generator) into Go structs: any problem
  fails the build (``kubectl kustomize`` says "invalid Kustomization: json: cannot unmarshal ...");
- a Flux Kustomization, HelmRelease, source, FluxInstance or any applied object is validated by the API
  server: the object is refused, so Flux never acts on it.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from collections import namedtuple
from typing import Any, Callable

from .fields import is_ciphertext

STR, INT, BOOL, NUM, ANY = "a string", "an integer", "true or false", "a number", "anything"


def seq(shape: Any) -> tuple[str, Any]:
    return ("list", shape)


def mapping(shape: Any = ANY) -> tuple[str, Any]:
    return ("map", shape)


def either(*shapes: Any) -> tuple[Any, ...]:
    return ("or", *shapes)


def one_of(*values: str) -> tuple[str, ...]:
    """A string the CRD lists in a ``+kubebuilder:validation:Enum``."""
    return ("enum", *values)


OBJ = mapping()
_STRINGS = mapping(STR)


class FieldProblem(namedtuple("FieldProblem", "path expected got")):
    """A field whose value does not have the shape its reader expects."""

    __slots__ = ()

    path: tuple[str | int, ...]
    expected: str
    got: str

    @property
    def field(self) -> str:
        out = ""
        for p in self.path:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
        return out

    def __str__(self) -> str:
        return f"{self.field}: expected {self.expected}, got {self.got}" if self.got else \
            f"{self.field}: {self.expected}"


def _describe(value: Any) -> str:
    """The shape of a value, never the value itself (a warning may not echo what a field holds)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else type(value).__name__


def _expected(shape: Any) -> str:
    if isinstance(shape, str):
        return shape
    if isinstance(shape, dict):
        return "a mapping"
    if shape[0] == "list":
        return f"a list of {_plural(_expected(shape[1]))}"
    if shape[0] == "map":
        return "a mapping" if shape[1] == ANY else f"a mapping of {_plural(_expected(shape[1]))}"
    if shape[0] == "enum":
        return f"one of {', '.join(shape[1:-1])} or {shape[-1]}" if len(shape) > 2 else shape[1]
    return " or ".join(_expected(s) for s in shape[1:])


def _plural(what: str) -> str:
    return {"true or false": "booleans", "anything": "anything"}.get(what, re.sub(r"^an? (\w+)", r"\1s", what))


_TYPES: dict[str, tuple[type, ...]] = {STR: (str, datetime.date), INT: (int,), BOOL: (bool,), NUM: (int, float)}
# id of a dict shape -> the shape and its (field, shape, required); holding the shape keeps its id its own (a freed
# dict's id may be given to a new one). Shapes are module constants, so this stays as small as the schema.
_FIELDS: dict[int, tuple[dict[str, Any], list[tuple[str, Any, bool]]]] = {}
_FIELD_SHAPES: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}  # the same, field name -> its shape


def _fits(value: Any, shape: str) -> bool:
    return shape == ANY or (isinstance(value, _TYPES[shape])
                            and (shape in (STR, BOOL) or not isinstance(value, bool)))


def _fields(shape: dict[str, Any]) -> list[tuple[str, Any, bool]]:
    known = _FIELDS.get(id(shape))
    if known is None:
        known = _FIELDS[id(shape)] = (shape, [(k.rstrip("!"), v, k.endswith("!")) for k, v in shape.items()])
    return known[1]


def field_shapes(shape: dict[str, Any]) -> dict[str, Any]:
    """The shape of each field of a dict shape, by name (kept with :func:`_fields`)."""
    known = _FIELD_SHAPES.get(id(shape))
    if known is None:
        known = _FIELD_SHAPES[id(shape)] = (shape, {name: sub for name, sub, _ in _fields(shape)})
    return known[1]


def _check(value: Any, shape: Any, path: tuple[str | int, ...], out: list[FieldProblem]) -> None:
    if isinstance(shape, str):
        if value is not None and not _fits(value, shape):
            out.append(FieldProblem(path, shape, _describe(value)))
    elif value is None:
        return
    elif isinstance(shape, dict):
        if not isinstance(value, dict):
            out.append(FieldProblem(path, "a mapping", _describe(value)))
            return
        for name, sub, required in _fields(shape):
            item = value.get(name)
            if item is None:
                if required and name not in value:
                    out.append(FieldProblem((*path, name), "is required", ""))
            elif isinstance(sub, str):  # a scalar field, checked without building its path
                if not _fits(item, sub):
                    out.append(FieldProblem((*path, name), sub, _describe(item)))
            else:
                _check(item, sub, (*path, name), out)
    elif shape[0] == "list":
        if not isinstance(value, list):
            out.append(FieldProblem(path, _expected(shape), _describe(value)))
            return
        sub = shape[1]
        if isinstance(sub, str):  # items of a scalar shape, checked without a call or a path each
            for i, item in enumerate(value):
                if item is not None and not _fits(item, sub):
                    out.append(FieldProblem((*path, i), sub, _describe(item)))
            return
        for i, item in enumerate(value):
            _check(item, sub, (*path, i), out)
    elif shape[0] == "map":
        if not isinstance(value, dict):
            out.append(FieldProblem(path, _expected(shape), _describe(value)))
            return
        if shape[1] == ANY:
            return
        sub = shape[1]
        if isinstance(sub, str):  # labels, annotations: values of a scalar shape, checked as above
            for key, item in value.items():
                if item is not None and not _fits(item, sub):
                    out.append(FieldProblem((*path, str(key)), sub, _describe(item)))
            return
        for key, item in value.items():
            _check(item, sub, (*path, str(key)), out)
    elif shape[0] == "enum":
        if not isinstance(value, str):
            out.append(FieldProblem(path, STR, _describe(value)))
        elif value not in shape[1:]:
            out.append(FieldProblem(path, f"must be {_expected(shape)}", ""))
    else:
        results = [problems(value, s, path) for s in shape[1:]]
        if all(results):
            # report inside the one alternative of the value's own type, else name them all
            typed = [r for r in results if not (r[0].path == path and r[0].got)]
            out.extend(typed[0] if len(typed) == 1 else [FieldProblem(path, _expected(shape), _describe(value))])


def problems(value: Any, shape: Any, path: tuple[str | int, ...] = ()) -> list[FieldProblem]:
    """Every place where ``value`` breaks ``shape`` (nothing for ``None``: an unset field)."""
    out: list[FieldProblem] = []
    _check(value, shape, path, out)
    return out


def unknown_fields(value: Any, shape: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The paths of the keys of ``value`` that the structs of ``shape`` do not declare (free-form maps and
    ``ANY`` hold any key). Use it only with a shape that lists every field of its type."""
    out: list[tuple[str | int, ...]] = []
    if isinstance(shape, dict) and isinstance(value, dict):
        fields = field_shapes(shape)
        for key, item in value.items():
            if key in fields:
                out += unknown_fields(item, fields[key], (*path, key))
            else:
                out.append((*path, str(key)))
    elif isinstance(shape, tuple) and shape[0] == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            out += unknown_fields(item, shape[1], (*path, i))
    return out


# -- kustomize's kustomization file (sigs.k8s.io/kustomize/api/types) ---------------------------------

_SELECTOR = {k: STR for k in ("group", "version", "kind", "name", "namespace", "labelSelector",
                              "annotationSelector")}
_GENERATOR_OPTIONS = {"labels": _STRINGS, "annotations": _STRINGS, "disableNameSuffixHash": BOOL, "immutable": BOOL}
_GENERATOR = {"name": STR, "namespace": STR, "behavior": STR, "files": seq(STR), "literals": seq(STR),
              "envs": seq(STR), "env": STR, "type": STR, "options": _GENERATOR_OPTIONS}
_FIELD_OPTIONS = {"delimiter": STR, "index": INT, "encoding": STR, "create": BOOL}
REPLACEMENT = {"path": STR,
                "source": {**_SELECTOR, "fieldPath": STR, "options": _FIELD_OPTIONS},
                "targets": seq({"select": _SELECTOR, "reject": seq(_SELECTOR), "fieldPaths": seq(STR),
                                "options": _FIELD_OPTIONS})}
_FIELD_SPEC = {"group": STR, "version": STR, "kind": STR, "path": STR, "create": BOOL}
KUSTOMIZATION_FILE = {
    "apiVersion": STR, "kind": STR,
    "metadata": {"name": STR, "namespace": STR, "labels": _STRINGS, "annotations": _STRINGS},
    "resources": seq(STR), "bases": seq(STR), "components": seq(STR), "crds": seq(STR),
    "namespace": STR, "namePrefix": STR, "nameSuffix": STR,
    "commonLabels": _STRINGS, "commonAnnotations": _STRINGS,
    "labels": seq({"pairs": _STRINGS, "includeSelectors": BOOL, "includeTemplates": BOOL, "fields": seq(_FIELD_SPEC)}),
    "patches": seq({"path": STR, "patch": STR, "target": _SELECTOR, "options": mapping(BOOL)}),
    "patchesStrategicMerge": seq(STR),
    "patchesJson6902": seq({"path": STR, "patch": STR, "target": _SELECTOR}),
    "images": seq({"name": STR, "newName": STR, "newTag": STR, "digest": STR, "tagSuffix": STR}),
    "replicas": seq({"name": STR, "count": INT}),
    "replacements": seq(REPLACEMENT),
    "configMapGenerator": seq(_GENERATOR), "secretGenerator": seq(_GENERATOR),
    "generatorOptions": _GENERATOR_OPTIONS,
    "helmCharts": seq(OBJ), "helmGlobals": OBJ,
    "sortOptions": {"order": STR, "legacySortOptions": {"orderFirst": seq(STR), "orderLast": seq(STR)}},
    "openapi": OBJ, "configurations": seq(STR), "generators": seq(STR), "transformers": seq(STR),
    "validators": seq(STR), "vars": seq(OBJ), "buildMetadata": seq(STR),
}

# -- Flux and core objects, as their CRDs / API types declare them -------------------------------------

_REF = {"kind": STR, "name": STR, "namespace": STR, "apiVersion": STR}
_NAMED = {"name!": STR}
_METADATA = {"name": STR, "namespace": STR, "labels": _STRINGS, "annotations": _STRINGS}

FLUX_KUSTOMIZATION_SPEC = {
    "path": STR, "targetNamespace": STR, "namePrefix": STR, "nameSuffix": STR, "interval": STR, "timeout": STR,
    "retryInterval": STR, "serviceAccountName": STR, "deletionPolicy": STR,
    "wait": BOOL, "prune": BOOL, "force": BOOL, "suspend": BOOL, "ignoreMissingComponents": BOOL,
    "dependsOn": seq({"name!": STR, "namespace": STR, "readyExpr": STR}),
    # kustomize-controller api/v1 reference_types.go, CrossNamespaceSourceReference.Kind (earlier versions name
    # fewer of these kinds, never another)
    "sourceRef": {**_REF, "kind": one_of("OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"),
                  "name!": STR},
    "patches": seq({"patch!": STR, "target": _SELECTOR}),
    "images": seq({"name!": STR, "newName": STR, "newTag": STR, "digest": STR}),
    "components": seq(STR),
    "healthChecks": seq({"apiVersion": STR, "kind!": STR, "name!": STR, "namespace": STR}),
    "healthCheckExprs": seq({"apiVersion": STR, "kind": STR, "current": STR, "failed": STR, "inProgress": STR}),
    "postBuild": {"substitute": _STRINGS, "substituteStrategy": STR,
                  "substituteFrom": seq({"kind!": STR, "name!": STR, "optional": BOOL})},
    "commonMetadata": {"labels": _STRINGS, "annotations": _STRINGS},
    "decryption": {"provider": STR, "secretRef": _NAMED, "serviceAccountName": STR},
    "kubeConfig": {"secretRef": {"name!": STR, "key": STR}, "configMapRef": _NAMED},
    "buildMetadata": seq(STR),
    "driftIgnoreRules": seq({"paths": seq(STR), "target": _SELECTOR}),
}

_CHART_TEMPLATE = {"chart": STR, "version": STR, "sourceRef": _REF, "interval": STR, "reconcileStrategy": STR,
                   "valuesFiles": seq(STR), "ignoreMissingValuesFiles": BOOL}
# the kinds a chart comes from (helm-controller api/v2*/reference_types.go CrossNamespaceObjectReference.Kind,
# source-controller api/v1 helmchart_types.go LocalHelmChartSourceReference.Kind): an OCIRepository chart is a
# release's chartRef, never its chart template's sourceRef
_CHART_SOURCE_KIND = one_of("HelmRepository", "GitRepository", "Bucket")
# helm-controller api/v2*/helmrelease_types.go: HelmChartTemplate.spec, its chart and sourceRef (a
# CrossNamespaceObjectReference: kind and name) are +required, as is the release's interval
_RELEASE_CHART_TEMPLATE = {**{k: v for k, v in _CHART_TEMPLATE.items() if k not in ("chart", "sourceRef")},
                           "chart!": STR, "sourceRef!": {"kind!": _CHART_SOURCE_KIND, "name!": STR,
                                                         "namespace": STR, "apiVersion": STR}}
HELM_RELEASE_SPEC = {
    "chart": {"spec!": _RELEASE_CHART_TEMPLATE, "metadata": {"labels": _STRINGS, "annotations": _STRINGS}},
    "chartRef": _REF,
    "values": OBJ,
    "valuesFrom": seq({"kind": STR, "name": STR, "valuesKey": STR, "targetPath": STR, "optional": BOOL}),
    "dependsOn": seq(either(STR, {"name": STR, "namespace": STR, "readyExpr": STR})),
    "targetNamespace": STR, "releaseName": STR, "storageNamespace": STR, "serviceAccountName": STR,
    "interval!": STR, "timeout": STR, "suspend": BOOL, "maxHistory": INT, "persistentClient": BOOL,
    "install": OBJ, "upgrade": OBJ, "test": OBJ, "rollback": OBJ, "uninstall": OBJ, "driftDetection": OBJ,
    "postRenderers": seq(OBJ), "kubeConfig": OBJ, "commonMetadata": {"labels": _STRINGS, "annotations": _STRINGS},
}


def helm_release_problems(spec: Any, api_version: str) -> list[FieldProblem]:
    """What the API server refuses in a HelmRelease's ``spec``, for its ``apiVersion``.

    v2 has ``chartRef`` and a CEL rule: exactly one of ``chart`` and ``chartRef``. v2beta1 and v2beta2 have no
    ``chartRef`` and require ``chart``; v2 and v2beta2 refuse an empty ``chart.spec.chart`` (MinLength 1).
    """
    found = problems(spec, HELM_RELEASE_SPEC, ("spec",))
    if not isinstance(spec, dict):
        return found
    version = api_version.rpartition("/")[2]
    chart = spec.get("chart")
    if version == "v2":
        if (chart is None) == (spec.get("chartRef") is None):
            found.append(FieldProblem(("spec",) if chart is None else ("spec", "chartRef"),
                                      "either chart or chartRef must be set (exactly one)", ""))
    elif version in ("v2beta1", "v2beta2") and chart is None:
        found.append(FieldProblem(("spec", "chart"), "is required", ""))
    template = chart.get("spec") if isinstance(chart, dict) else None
    if version in ("v2", "v2beta2") and isinstance(template, dict) and template.get("chart") == "":
        found.append(FieldProblem(("spec", "chart", "spec", "chart"), "should be at least 1 chars long", ""))
    if version == "v2":
        found += duration_problems(spec, ("interval", "timeout"), ("spec",))
        if isinstance(template, dict):
            found += duration_problems(template, ("interval",), ("spec", "chart", "spec"))
    return found


# The pattern the Flux APIs give a metav1.Duration (+kubebuilder:validation:Pattern), read in kustomize-controller
# api/v1 (interval, retryInterval, timeout), helm-controller api/v2 (interval, timeout, chart.spec.interval) and
# source-controller (_SOURCE_DURATIONS; a timeout has no hours): the API server refuses `1d`, `10` or `500us` there.
# Only those versions are judged: that is where it was read.
_CRD_DURATION = re.compile(r"([0-9]+(\.[0-9]+)?(ms|s|m|h))+")
_CRD_DURATION_NO_HOURS = re.compile(r"([0-9]+(\.[0-9]+)?(ms|s|m))+")


def duration_problems(fields: dict[str, Any], names: tuple[str, ...], at: tuple[str, ...], *,
                      hours: bool = True, variables: bool = False) -> list[FieldProblem]:
    """The ``names`` of ``fields`` whose string value the CRD duration pattern refuses (``hours``: the pattern with
    the unit h). A value still holding a ``$`` (a variable postBuild may set) is judged alone when ``variables``:
    then nothing substitutes it."""
    pattern, expected = ((_CRD_DURATION, "10m or 1h30m (units h, m, s, ms)") if hours
                         else (_CRD_DURATION_NO_HOURS, "60s or 1m30s (units m, s, ms)"))
    return [FieldProblem((*at, name), f"must be a duration such as {expected}", "")
            for name in names
            if isinstance(fields.get(name), str) and ("$" in fields[name]) == variables
            and not pattern.fullmatch(fields[name])]


_SECRET_REF = {"name": STR}
SOURCE_SPECS = {
    "GitRepository": {"url": STR, "interval": STR, "timeout": STR, "secretRef": _SECRET_REF, "provider": STR,
                      "ref": {"branch": STR, "tag": STR, "semver": STR, "name": STR, "commit": STR},
                      "ignore": STR, "suspend": BOOL, "recurseSubmodules": BOOL, "include": seq(OBJ)},
    "OCIRepository": {"url": STR, "interval": STR, "timeout": STR, "secretRef": _SECRET_REF, "provider": STR,
                      "ref": {"digest": STR, "semver": STR, "semverFilter": STR, "tag": STR},
                      "ignore": STR, "suspend": BOOL, "insecure": BOOL,
                      "layerSelector": {"mediaType": STR, "operation": STR}},
    "HelmRepository": {"url": STR, "type": STR, "interval": STR, "timeout": STR, "secretRef": _SECRET_REF,
                       "provider": STR, "insecure": BOOL, "passCredentials": BOOL, "suspend": BOOL},
    "Bucket": {"endpoint": STR, "bucketName": STR, "insecure": BOOL, "provider": STR, "region": STR, "prefix": STR,
               "interval": STR, "timeout": STR, "secretRef": _SECRET_REF, "ignore": STR, "suspend": BOOL},
    "HelmChart": {**_CHART_TEMPLATE, "sourceRef": {**_REF, "kind": _CHART_SOURCE_KIND, "name!": STR},
                  "suspend": BOOL},
    "ExternalArtifact": {"sourceRef": _REF},
}

# flux-operator api/v1 fluxinstance_types.go: Sync.Kind and Cluster.Type are enums in every version, Cluster.Size
# since it was added
FLUX_INSTANCE_SPEC = {
    "sync": {"kind": one_of("OCIRepository", "GitRepository", "Bucket"), "url": STR, "ref": STR, "path": STR,
             "name": STR, "pullSecret": STR, "interval": STR, "provider": STR},
    "cluster": {"type": one_of("kubernetes", "openshift", "aws", "azure", "gcp"),
                "size": one_of("small", "medium", "large")},
    "components": seq(STR), "distribution": {"version": STR, "registry": STR, "artifact": STR},
    "kustomize": {"patches": seq({"patch!": STR, "target": _SELECTOR})},
}

# flux-operator api/v1 resourceset_types.go and resourcesetinputprovider_types.go (inputs, resources and steps are
# checked where a ResourceSet is expanded)
_LABEL_SELECTOR = {"matchLabels": _STRINGS,
                   "matchExpressions": seq({"key!": STR, "operator!": STR, "values": seq(STR)})}
RESOURCESET_SPEC = {
    "commonMetadata": {"labels": _STRINGS, "annotations": _STRINGS},
    "inputsFrom": seq({"apiVersion": STR, "kind": STR, "name": STR, "selector": _LABEL_SELECTOR}),
    "inputStrategy": {"name": STR, "includeEmptyProviders": BOOL},
    "resourcesTemplate": STR,
    "dependsOn": seq({"apiVersion!": STR, "kind!": STR, "name!": STR, "namespace": STR, "ready": BOOL,
                      "readyExpr": STR}),
    "serviceAccountName": STR, "wait": BOOL,
}
RESOURCESET_INPUT_PROVIDER_SPEC = {
    "type!": STR, "url": STR, "secretRef": _SECRET_REF, "certSecretRef": _SECRET_REF, "serviceAccountName": STR,
    "defaultValues": OBJ, "schedule": seq({"cron!": STR, "timeZone": STR, "window": STR}),
    "filter": {"limit": INT, "labels": seq(STR), "includeBranch": STR, "excludeBranch": STR, "semver": STR},
    "skip": {"labels": seq(STR)},
}

# notification-controller api/v1 reference_types.go CrossNamespaceObjectReference.Kind, the union of its releases
# (FluxInstance, ResourceSet, ResourceSetInputProvider, ArtifactGenerator and ExternalArtifact came later): an
# Alert or Receiver naming any other kind, a Pod say, is refused whatever Flux the cluster runs
_EVENT_SOURCE = {"kind!": one_of("Bucket", "GitRepository", "Kustomization", "HelmRelease", "HelmChart",
                                 "HelmRepository", "ImageRepository", "ImagePolicy", "ImageUpdateAutomation",
                                 "OCIRepository", "FluxInstance", "ResourceSet", "ResourceSetInputProvider",
                                 "ArtifactGenerator", "ExternalArtifact"),
                 "name": STR, "namespace": STR, "apiVersion": STR, "matchLabels": _STRINGS}
ALERT_SPEC = {"eventSeverity": one_of("info", "error"), "eventSources": seq(_EVENT_SOURCE)}
RECEIVER_SPEC = {"resources": seq(_EVENT_SOURCE)}

# the fields of core and networking objects the surface extractor reads
_PORT = either(INT, STR)
_CONTAINER = {"name": STR, "image": STR, "restartPolicy": STR,
              "ports": seq({"containerPort": INT, "name": STR, "protocol": STR})}
_POD_TEMPLATE = {"metadata": {"labels": _STRINGS, "annotations": _STRINGS},
                 "spec": {"containers": seq(_CONTAINER), "initContainers": seq(_CONTAINER)}}
_BACKEND = {"service": {"name": STR, "port": {"number": INT, "name": STR}}, "serviceName": STR,
            "servicePort": _PORT, "resource": {"kind": STR, "name": STR, "apiGroup": STR}}
_ROUTE = {"spec": {
    "parentRefs": seq({"name": STR, "namespace": STR, "sectionName": STR, "kind": STR, "group": STR, "port": INT}),
    "hostnames": seq(STR),
    "rules": seq({"backendRefs": seq({"name": STR, "namespace": STR, "port": INT, "kind": STR, "group": STR,
                                      "weight": INT}),
                  "matches": seq({"path": {"type": STR, "value": STR}})})}}
_TRAEFIK_ROUTE = {"spec": {
    "entryPoints": seq(STR),
    "routes": seq({"match": STR, "kind": STR, "middlewares": seq({"name": STR, "namespace": STR}),
                   "services": seq({"name": STR, "port": _PORT, "kind": STR, "namespace": STR})}),
    "tls": {"secretName": STR, "certResolver": STR, "passthrough": BOOL}}}
_WORKLOAD = {"spec": {"template": _POD_TEMPLATE, "replicas": INT}}

# (group, kind) -> shape of the whole object, for objects checked when the simulation applies them
APPLIED_OBJECTS: dict[tuple[str, str], dict[str, Any]] = {
    ("", "Service"): {"spec": {
        "type": STR, "clusterIP": STR, "externalName": STR, "loadBalancerIP": STR, "loadBalancerClass": STR,
        "selector": _STRINGS,
        "ports": seq({"name": STR, "port": INT, "targetPort": _PORT, "nodePort": INT, "protocol": STR})}},
    ("", "ConfigMap"): {"data": _STRINGS, "binaryData": _STRINGS},
    ("networking.k8s.io", "Ingress"): {"spec": {
        "ingressClassName": STR, "defaultBackend": _BACKEND, "tls": seq({"hosts": seq(STR), "secretName": STR}),
        "rules": seq({"host": STR, "http": {"paths": seq({"path": STR, "pathType": STR, "backend": _BACKEND})}})}},
    ("gateway.networking.k8s.io", "Gateway"): {"spec": {
        "gatewayClassName": STR, "addresses": seq({"type": STR, "value": STR}),
        "infrastructure": {"annotations": _STRINGS, "labels": _STRINGS},
        "listeners": seq({"name": STR, "hostname": STR, "port": INT, "protocol": STR,
                          "tls": {"mode": STR,
                                  "certificateRefs": seq({"name": STR, "namespace": STR, "kind": STR})}})}},
    **{("gateway.networking.k8s.io", k): _ROUTE
       for k in ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")},
    **{(g, k): _TRAEFIK_ROUTE for g in ("traefik.io", "traefik.containo.us")
       for k in ("IngressRoute", "IngressRouteTCP", "IngressRouteUDP")},
    ("cert-manager.io", "Certificate"): {"spec": {
        "secretName": STR, "commonName": STR, "dnsNames": seq(STR),
        "issuerRef": {"name": STR, "kind": STR, "group": STR}}},
    **{("apps", k): _WORKLOAD for k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")},
    ("batch", "Job"): _WORKLOAD,
    ("batch", "CronJob"): {"spec": {"schedule": STR, "jobTemplate": {"spec": {"template": _POD_TEMPLATE}}}},
    **{("source.toolkit.fluxcd.io", k): {"spec": shape} for k, shape in SOURCE_SPECS.items()},
    ("fluxcd.controlplane.io", "FluxInstance"): {"spec": FLUX_INSTANCE_SPEC},
    ("fluxcd.controlplane.io", "ResourceSet"): {"spec": RESOURCESET_SPEC},
    ("fluxcd.controlplane.io", "ResourceSetInputProvider"): {"spec!": RESOURCESET_INPUT_PROVIDER_SPEC},
    ("notification.toolkit.fluxcd.io", "Alert"): {"spec": ALERT_SPEC},
    ("notification.toolkit.fluxcd.io", "Receiver"): {"spec": RECEIVER_SPEC},
}

# flux-operator api/v1 fluxinstance_types.go and fluxreport_types.go:
# +kubebuilder:validation:XValidation:rule="self.metadata.name == 'flux'"
_ONLY_NAMES = {("fluxcd.controlplane.io", "FluxInstance"): "flux", ("fluxcd.controlplane.io", "FluxReport"): "flux"}


def only_name_problems(obj: dict[str, Any], group: str, kind: str) -> list[FieldProblem]:
    """A name other than the one a kind's CRD admits (a FluxInstance named ``flux-dev``)."""
    only = _ONLY_NAMES.get((group, kind))
    md = obj.get("metadata")
    name = md.get("name") if isinstance(md, dict) else None
    if only is None or not isinstance(name, str) or name == only:
        return []
    return [FieldProblem(("metadata", "name"), f"the only accepted name for a {kind} is '{only}'", "")]


def object_problems(obj: dict[str, Any], group: str, kind: str) -> list[FieldProblem]:
    """What the API server would refuse in an object's metadata, and in the fields of its kind the engine reads."""
    md = obj.get("metadata")
    found = problems(md, _METADATA, ("metadata",)) + only_name_problems(obj, group, kind)
    shape = APPLIED_OBJECTS.get((group, kind))
    if shape is not None:
        found += problems(obj, shape)
        found += host_problems(obj, group, kind)
    if group == "source.toolkit.fluxcd.io":
        found += source_durations(obj, kind) + source_url_problems(obj, kind)
    return found


# source-controller's +kubebuilder:validation:Pattern on spec.url, in the versions it was read in: HelmRepository
# api/v1, OCIRepository api/v1 and api/v1beta2, GitRepository api/v1
_SOURCE_URLS = {"HelmRepository": (("v1",), ("http", "https", "oci")),
                "OCIRepository": (("v1", "v1beta2"), ("oci",)),
                "GitRepository": (("v1",), ("http", "https", "ssh"))}


def source_url_problems(obj: dict[str, Any], kind: str) -> list[FieldProblem]:
    """A Flux source's ``spec.url`` without a scheme its CRD pattern admits (``ghcr.io/org/charts`` for a
    HelmRepository): the API server refuses it. A value holding a variable is left to postBuild."""
    versions, schemes = _SOURCE_URLS.get(kind, ((), ()))
    spec = obj.get("spec")
    url = spec.get("url") if isinstance(spec, dict) else None
    if obj.get("apiVersion") not in {f"source.toolkit.fluxcd.io/{v}" for v in versions} \
            or not isinstance(url, str) or "$" in url \
            or re.fullmatch(f"({'|'.join(schemes)})://.*", url):
        return []
    starts = ", ".join(f"{s}://" for s in schemes[:-1]) + (" or " if len(schemes) > 1 else "") + f"{schemes[-1]}://"
    return [FieldProblem(("spec", "url"), f"must be a URL starting {starts}", "")]


# source-controller api/v1 and api/v1beta2 (the GitRepository v1beta2 read has no pattern): the versions whose
# interval has the duration pattern, and whether the kind has a timeout with the one without hours (HelmChart has none)
_SOURCE_DURATIONS = {"GitRepository": (("v1",), True),
                     **{k: (("v1", "v1beta2"), True) for k in ("OCIRepository", "HelmRepository", "Bucket")},
                     "HelmChart": (("v1", "v1beta2"), False)}


def source_durations(obj: dict[str, Any], kind: str, *, variables: bool = False) -> list[FieldProblem]:
    """:func:`duration_problems` of a Flux source's ``interval`` and ``timeout`` where its CRD version gives them
    a pattern; ``variables`` as there."""
    versions, timeout = _SOURCE_DURATIONS.get(kind, ((), False))
    spec = obj.get("spec")
    if obj.get("apiVersion") not in {f"source.toolkit.fluxcd.io/{v}" for v in versions} or not isinstance(spec, dict):
        return []
    return [*duration_problems(spec, ("interval",), ("spec",), variables=variables),
            *(duration_problems(spec, ("timeout",), ("spec",), hours=False, variables=variables) if timeout else [])]


# +required in every version of the Kustomization API (kustomize-controller api/v1*/kustomization_types.go;
# `prune` is a bool without omitempty, so `prune: false` is set and an absent one is refused). A spec written by
# flux-wiki for an entry (checked_kustomization_spec) may lack them.
_KUSTOMIZATION_REQUIRED = ("interval", "prune", "sourceRef")
_KUSTOMIZATION_DURATIONS = ("interval", "retryInterval", "timeout")  # api/v1: see duration_problems

# -- object names, as the API server validates them ----------------------------------------------------
#
# apimachinery's ValidateObjectMeta checks metadata.name with the name function of the object's kind and, for
# a namespaced object, metadata.namespace as a DNS-1123 label (ValidateNamespaceName). The name functions of
# k8s.io/kubernetes pkg/apis/*/validation for the kinds listed; a custom resource (any group the API server does
# not serve itself) is checked by apiextensions-apiserver as a DNS-1123 subdomain. Kinds not listed in a
# built-in group (PersistentVolume, HorizontalPodAutoscaler, ...) are not judged.

_DNS_LABEL = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*")
LABEL, SUBDOMAIN, PATH_SEGMENT = "label", "subdomain", "path segment"
_NAME_RULES = {
    ("", "Namespace"): LABEL,
    ("", "Service"): LABEL,  # a DNS-1035 label before RelaxedServiceNameValidation (KEP-5311, on by default)
    **{("", k): SUBDOMAIN for k in ("ConfigMap", "Secret", "ServiceAccount", "Pod", "ReplicationController",
                                    "Endpoints", "LimitRange", "ResourceQuota", "Node")},
    **{("apps", k): SUBDOMAIN for k in ("Deployment", "DaemonSet", "ReplicaSet")},
    ("storage.k8s.io", "StorageClass"): SUBDOMAIN, ("scheduling.k8s.io", "PriorityClass"): SUBDOMAIN,
    ("node.k8s.io", "RuntimeClass"): SUBDOMAIN,
    **{("rbac.authorization.k8s.io", k): PATH_SEGMENT  # ValidateRBACName: path.IsValidPathSegmentName
       for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")},
}
_BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "extensions",
    *(f"{g}.k8s.io" for g in ("rbac.authorization", "networking", "storage", "admissionregistration", "apiextensions",
                              "scheduling", "coordination", "node", "discovery", "certificates", "resource",
                              "events", "authentication", "authorization", "apiregistration", "storagemigration",
                              "internal.apiserver", "flowcontrol.apiserver", "metrics", "custom.metrics",
                              "external.metrics")),
})


def name_rule(group: str, kind: str) -> str | None:
    """The rule the API server checks a ``kind``'s metadata.name with, or None when flux-wiki does not know it."""
    rule = _NAME_RULES.get((group, kind))
    if rule is None and group not in _BUILTIN_GROUPS:
        return SUBDOMAIN
    return rule


def name_problem(value: Any, rule: str | None, field: str = "name", kept: str | None = None) -> FieldProblem | None:
    """What the API server says about a metadata ``field`` (``name`` or ``namespace``) under ``rule``; None when
    it is fine, not a string, or not known yet (it still holds a ``${VAR}`` postBuild substitutes). ``kept``: why
    postBuild does not substitute it (:func:`unsubstituted_durations`' ``why``): a ``${VAR}`` then reaches the API
    server as written, and is judged so."""
    if not isinstance(value, str) or not value or rule is None:
        return None
    if "${" in value:
        if kept is None:
            return None
        problem = _name_problem(value, rule, field)
        return problem._replace(expected=f"{problem.expected}; its variable stays as written, as {kept}") \
            if problem is not None else None
    return _name_problem(value, rule, field)


def _name_problem(value: str, rule: str, field: str) -> FieldProblem | None:
    path = ("metadata", field)
    if rule == PATH_SEGMENT:
        if value in (".", ".."):
            return FieldProblem(path, f"may not be '{value}'", "")
        bad = [c for c in "/%" if c in value]
        return FieldProblem(path, f"may not contain '{bad[0]}'", "") if bad else None
    limit, pattern = (63, _DNS_LABEL) if rule == LABEL else (253, _DNS_SUBDOMAIN)
    if len(value) > limit:
        return FieldProblem(path, f"must be no more than {limit} characters", "")
    if pattern.fullmatch(value):
        return None
    what = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'" if rule == LABEL
            else "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'")
    return FieldProblem(path, what + ", and must start and end with an alphanumeric character", "")


# -- host names, as the API server validates them -----------------------------------------------------------
#
# An Ingress (k8s.io/kubernetes pkg/apis/networking/validation validateIngressRules, validateIngressTLS): a rule's
# host is not an IP address, and is a DNS-1123 subdomain, or a wildcard one (``*.`` then a subdomain) when it
# holds a ``*``; a TLS host is either. Gateway API (apis/v1 shared_types.go ``Hostname``, its CRD pattern): an
# optional ``*.`` then a subdomain, 1 to 253 characters, in a route's hostnames and a Gateway listener's hostname.

# the two below compiled by re.fullmatch at their first use (re caches them): few hosts have a wildcard, few
# repositories Gateway API routes
_WILDCARD_SUBDOMAIN = r"\*\." + _DNS_SUBDOMAIN.pattern
_GATEWAY_HOSTNAME = r"(?:\*\.)?" + _DNS_SUBDOMAIN.pattern
_SUBDOMAIN_RULE = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                   "and must start and end with an alphanumeric character")
_WILDCARD_RULE = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
                  "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character")
_GATEWAY_HOSTNAME_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute")  # TCPRoute and UDPRoute have no hostnames


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _ingress_host(value: str, rule_host: bool) -> str | None:
    if rule_host and _is_ip(value):
        return "must be a DNS name, not an IP address"
    if len(value) > 253:
        return "must be no more than 253 characters"
    if "*" in value:
        return None if re.fullmatch(_WILDCARD_SUBDOMAIN, value) else _WILDCARD_RULE
    return None if _DNS_SUBDOMAIN.fullmatch(value) else _SUBDOMAIN_RULE


def _gateway_hostname(value: str) -> str | None:
    if len(value) > 253:
        return "must be no more than 253 characters"
    return None if re.fullmatch(_GATEWAY_HOSTNAME, value) else \
        "must be a DNS name, optionally prefixed with a wildcard label '*.' (the Gateway API's Hostname pattern)"


def host_problems(obj: dict[str, Any], group: str, kind: str, kept: str | None = None) -> list[FieldProblem]:
    """Host names of an Ingress or a Gateway API Gateway/route that the API server refuses, judged on the object
    as applied (after postBuild substitution): a value still holding a ``${VAR}`` (a Secret's variable, one no
    source sets) or SOPS ciphertext is not known here and not judged. With ``kept`` (why postBuild leaves the
    object's variables as written: :func:`unsubstituted_durations`' ``why``), only the values holding one are
    judged, as written. A message names the rule, never the value."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    found: list[tuple[tuple[str | int, ...], str, Callable[[str], str | None]]] = []
    if kind == "Ingress" and group in ("networking.k8s.io", "extensions"):
        for i, rule in enumerate(_items(spec.get("rules"))):
            found.append((("spec", "rules", i, "host"), rule.get("host"), lambda v: _ingress_host(v, True)))
        for i, tls in enumerate(_items(spec.get("tls"))):
            hosts = tls.get("hosts")
            for j, host in enumerate(hosts if isinstance(hosts, list) else []):
                found.append((("spec", "tls", i, "hosts", j), host, lambda v: _ingress_host(v, False)))
    elif group == "gateway.networking.k8s.io" and kind in _GATEWAY_HOSTNAME_KINDS:
        hosts = spec.get("hostnames")
        for i, host in enumerate(hosts if isinstance(hosts, list) else []):
            found.append((("spec", "hostnames", i), host, _gateway_hostname))
    elif group == "gateway.networking.k8s.io" and kind == "Gateway":
        for i, listener in enumerate(_items(spec.get("listeners"))):
            if "hostname" in listener:
                found.append((("spec", "listeners", i, "hostname"), listener.get("hostname"), _gateway_hostname))
    out = []
    for path, value, check in found:
        if not isinstance(value, str) or ("${" in value) != (kept is not None) or is_ciphertext(value) \
                or (not value and path[-1] == "host"):
            continue  # unknown here: a variable left as written, SOPS ciphertext kustomize-controller decrypts
        message = check(value)
        if message:
            out.append(FieldProblem(path, f"{message}; its variable stays as written, as {kept}" if kept else message,
                                    ""))
    return out


def _items(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def checked_kustomization(obj: dict[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """A Flux Kustomization's ``spec`` without the fields the CRD schema refuses, and every problem found.

    Any problem means the API server rejects the object; the fields are dropped so that nothing
    downstream meets a value of the wrong type.
    """
    found = problems(obj.get("metadata"), _METADATA, ("metadata",))
    spec, spec_problems = checked_kustomization_spec(obj.get("spec"))
    if isinstance(obj.get("spec"), dict):
        found += [FieldProblem(("spec", name), "is required", "") for name in _KUSTOMIZATION_REQUIRED
                  if obj["spec"].get(name) is None]
        if obj.get("apiVersion") == "kustomize.toolkit.fluxcd.io/v1":
            found += duration_problems(spec, _KUSTOMIZATION_DURATIONS, ("spec",))
    return spec, found + spec_problems


def unsubstituted_durations(obj: dict[str, Any], group: str, kind: str,
                            why: str = "the Kustomization applying it has no postBuild variables",
                            ) -> list[FieldProblem]:
    """The durations with a CRD pattern of a v1 Flux Kustomization or of a source that hold a variable, which
    the checks leave to postBuild: refused when postBuild does not substitute ``obj`` (``why``: the Kustomization
    applying it substitutes nothing, or ``obj`` is marked so), as the variable then reaches the API server as
    written."""
    spec = obj.get("spec")
    if group == "source.toolkit.fluxcd.io":
        found = source_durations(obj, kind, variables=True)
    elif (group, kind) == ("kustomize.toolkit.fluxcd.io", "Kustomization") \
            and obj.get("apiVersion") == "kustomize.toolkit.fluxcd.io/v1" and isinstance(spec, dict):
        found = duration_problems(spec, _KUSTOMIZATION_DURATIONS, ("spec",), variables=True)
    else:
        return []
    return [p._replace(expected=f"{p.expected}; its variable stays as written, as {why}") for p in found]


def checked_kustomization_spec(spec: Any) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The fields of a Flux Kustomization's ``spec`` the CRD schema accepts, and what it would refuse."""
    if not isinstance(spec, dict):
        return {}, [FieldProblem(("spec",), "a mapping", _describe(spec))]
    found = problems(spec, FLUX_KUSTOMIZATION_SPEC, ("spec",))
    bad = {p.path[1] for p in found if len(p.path) > 1}
    return {k: v for k, v in spec.items() if k not in bad}, found
