"""Expand flux-operator ResourceSets into the objects flux-operator would apply.

A ResourceSet (fluxcd.controlplane.io/v1) is applied like any object by the Kustomization whose build
holds it (after that Kustomization's postBuild substitution); flux-operator then renders its templates
once per input set and applies the result. This module follows flux-operator's sources:

- inputs (internal/inputs combine.go, flattener.go, permuter.go, provider.go): the inline
  `spec.inputs` first, then the `spec.inputsFrom` providers sorted by namespace and name; each input
  set gets `provider` (apiVersion, kind, name, namespace of the object that gave it). `Flatten`
  (default) concatenates; `Permute` takes the product of the providers' sets, each set under the
  provider's name normalised (keys.go NormalizeKeyForTemplate), with `id` the Adler-32 of the chosen
  indices (at most 10000);
- a `Static` ResourceSetInputProvider exports its `defaultValues` plus `id` (the Adler-32 of its UID,
  which only the cluster knows: flux-wiki uses a stand-in); other provider types read a live API
  (pull requests, branches, tags, OCI artifacts): their inputs are skipped, with the reason;
- rendering (internal/builder/resourceset.go): `<<`/`>>` delimiters, slim-sprig's hermetic functions
  plus `slugify`, `toYaml`, `inputs`, `missingkey=error`; each `spec.resources` entry is templated as
  the YAML `yaml.JSONToYAML` writes for it, `spec.resourcesTemplate` as multi-document YAML; no input
  set means one rendering with empty inputs; objects annotated `fluxcd.controlplane.io/reconcile:
  disabled` are dropped, duplicates (group, kind, namespace, name) keep the first (`spec.resources`
  before the template); `spec.steps` build separately and may not repeat an object;
- the controller (internal/controller/resourceset_controller.go) labels the objects with the
  ResourceSet's name and namespace and applies `spec.commonMetadata`.

A template or build error is a warning (flux-operator marks the ResourceSet BuildFailed and applies
nothing); what flux-wiki cannot know (live providers, time-dependent functions, its own bounds) is an
info notice and the ResourceSet generates nothing here.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib
from collections import namedtuple
from itertools import product
from typing import TYPE_CHECKING, Any, Iterable

import yaml

from ..analysis.redact import hide_values, names_secret
from ..load import Repo
from ..load.yamldocs import parse_documents
from ..model import FLUX_OPERATOR_GROUP, Diagnostic, GeneratedBy, InputError, Resource
from . import goyaml

if TYPE_CHECKING:  # the template engine loads with the first ResourceSet, not with every run
    from .gotemplate import Budget, Template

GROUP = FLUX_OPERATOR_GROUP
PROVIDER_KIND = "ResourceSetInputProvider"
API_VERSION = f"{GROUP}/v1"
OWNER_LABELS = (f"resourceset.{GROUP}/name", f"resourceset.{GROUP}/namespace")
RECONCILE_ANNOTATION = f"{GROUP}/reconcile"
COPY_FROM_ANNOTATION = f"{GROUP}/copyFrom"
MAX_PERMUTATIONS = 10_000  # flux-operator internal/inputs/permuter.go maxPermutations
MAX_INPUT_SETS = 10_000  # flux-wiki's own bound for Flatten
MAX_OBJECTS = 5_000  # flux-wiki's own bound on the objects one ResourceSet generates
_READS_ID = r"\.id\b|\"id\""  # compiled by re.search at its first use (re caches it)
_LINE_BREAK = re.compile("\n")

_LIVE_SOURCES = {
    "GitHubPullRequest": "GitHub pull requests", "GitHubBranch": "GitHub branches", "GitHubTag": "GitHub tags",
    "GitLabMergeRequest": "GitLab merge requests", "GitLabBranch": "GitLab branches", "GitLabTag": "GitLab tags",
    "GitLabEnvironment": "GitLab environments",
    "GiteaPullRequest": "Gitea pull requests", "GiteaBranch": "Gitea branches", "GiteaTag": "Gitea tags",
    "AzureDevOpsPullRequest": "Azure DevOps pull requests", "AzureDevOpsBranch": "Azure DevOps branches",
    "AzureDevOpsTag": "Azure DevOps tags", "OCIArtifactTag": "OCI artifact tags",
    "ACRArtifactTag": "Azure Container Registry tags", "ECRArtifactTag": "Amazon ECR tags",
    "GARArtifactTag": "Google Artifact Registry tags", "ExternalService": "an external service",
    "ExternalArtifact": "the ExternalArtifacts in the cluster (an ArtifactGenerator's, labelled by its path captures)",
}


def is_resourceset(res: Resource) -> bool:
    return res.group == GROUP and res.kind == "ResourceSet"


class Expansion(namedtuple("Expansion", "resources diagnostics")):
    """What one ResourceSet generates, and what flux-wiki has to say about it."""

    __slots__ = ()

    resources: list[Resource]
    diagnostics: list[Diagnostic]


class _Failed(Exception):
    """The ResourceSet generates nothing: ``diagnostic`` says why (a warning or an info notice)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Source(namedtuple("_Source", "label template single line lines_follow_file")):
    """One template of a ResourceSet: a `resources` entry or a `resourcesTemplate`."""

    __slots__ = ()

    label: str
    template: Template
    single: bool  # a `resources` entry (one object) rather than multi-document YAML
    line: int  # file line of the entry, or of the template's first line
    lines_follow_file: bool  # template line N is file line `line + N - 1`


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _secrets_unread(value: Any) -> Any:
    """An input set with every value under a key that names a secret (``token``, ``dbPassword``) replaced by
    ``(hidden)``, as a postBuild variable so named is never read: what it is templated into cannot reach a page."""
    if isinstance(value, dict):
        return {k: hide_values(v) if names_secret(k) else _secrets_unread(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_secrets_unread(v) for v in value]
    return value


def _adler32(text: str) -> str:
    return str(zlib.adler32(text.encode()))


def normalize_provider_name(name: str) -> str:
    """flux-operator keys.go NormalizeKeyForTemplate: lower case, spaces and punctuation (`-`, `.`, `_`) to `_`,
    only [a-z0-9_], no empty words (`my.app-v2` -> `my_app_v2`)."""
    out = []
    for ch in name:
        low = ch.lower() if len(ch.lower()) == 1 else ch  # Go's unicode.ToLower maps one rune to one rune
        if low.isspace() or unicodedata.category(low).startswith("P"):
            out.append("_")
        elif "a" <= low <= "z" or "0" <= low <= "9":
            out.append(low)
    return "_".join(w for w in "".join(out).split("_") if w)


# -- where templates are in the file --------------------------------------------------------
class _Locator:
    """Lines of a ResourceSet's `resources` entries and `resourcesTemplate` in the file it came from."""

    def __init__(self, repo: Repo | None):
        self.repo = repo

    def _document(self, res: Resource) -> yaml.Node | None:
        if self.repo is None or not res.file or not self.repo.is_file(res.file):
            return None
        return _documents(self.repo.read_text(res.file)).get(res.line)

    @staticmethod
    def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
        if isinstance(key, int):
            if isinstance(node, yaml.SequenceNode) and 0 <= key < len(node.value):
                return node.value[key]
            return None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return v
        return None

    def line(self, res: Resource, path: list[str | int]) -> tuple[int, bool]:
        """File line of the node at ``path`` under the document, and whether a block scalar starts there."""
        node = self._document(res)
        for key in path:
            node = self._child(node, key)
        if node is None:
            return res.line, False
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            return node.start_mark.line + 2, True
        return node.start_mark.line + 1, isinstance(node, yaml.ScalarNode)


_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=64)
def _documents(text: str) -> dict[int, yaml.Node]:
    """The node of each document of a file by its first line (none when the file does not compose).

    Cached by text: a component holding a ResourceSet is built into many Kustomizations, and its file
    would be composed again for each (nodes are only read). Composed by libyaml, whose node lines, columns
    and styles are the pure-Python composer's (checked on every YAML file of the corpora and the tests),
    in a tenth of the time.
    """
    try:
        nodes = [n for n in yaml.compose_all(text, Loader=_COMPOSER) if n is not None]
    except (yaml.YAMLError, RecursionError):
        return {}
    out: dict[int, yaml.Node] = {}
    for n in nodes:
        out.setdefault(n.start_mark.line + 1, n)
    return out


# -- inputs ----------------------------------------------------------------------------------
class _Providers:
    """ResourceSetInputProviders the cluster holds: the current build's, the applied ones, the repo's."""

    def __init__(self, current: list[Resource], store: Any):
        self.current = current
        self.store = store

    def _all(self) -> Iterable[Resource]:
        yield from (r for r in self.current if r.group == GROUP and r.kind == PROVIDER_KIND)
        if self.store is not None:
            yield from (r for (kind, _, _), r in self.store.applied.items()
                        if kind == PROVIDER_KIND and r.group == GROUP)

    def named(self, namespace: str, name: str) -> Resource | None:
        for r in self._all():
            if (r.namespace or "default") == namespace and r.name == name:
                return r
        found = self.store.find(PROVIDER_KIND, namespace, name) if self.store is not None else None
        return found if found is not None and found.group == GROUP else None

    def copy_source(self, kind: str, source: str) -> Resource | None:
        """The ConfigMap or Secret a ``copyFrom: namespace/name`` annotation names, when this build or the
        cluster so far applies it readable (a SOPS-encrypted one is not)."""
        namespace, _, name = source.partition("/")
        if not namespace or not name or "/" in name:
            return None
        found = next((r for r in self.current if r.kind == kind and r.group == "" and r.namespace == namespace
                      and r.name == name), None)
        if found is None and self.store is not None:  # applied so far: the repo fallback may be another cluster's
            found = self.store.find_applied(kind, namespace, name)
        return None if found is None or found.encrypted or "sops" in found.obj else found

    def selected(self, namespace: str, selector: dict[str, Any]) -> list[Resource]:
        seen: dict[str, Resource] = {}
        for r in self._all():
            if (r.namespace or "default") == namespace and _matches(selector, _dict(r.metadata.get("labels"))):
                seen.setdefault(r.name, r)
        return list(seen.values())


def _matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """metav1.LabelSelector semantics: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist)."""
    for k, v in _dict(selector.get("matchLabels")).items():
        if str(labels.get(k)) != str(v) or k not in labels:
            return False
    for expr in _list(selector.get("matchExpressions")):
        expr = _dict(expr)
        key, op = str(expr.get("key") or ""), str(expr.get("operator") or "")
        values = [str(v) for v in _list(expr.get("values"))]
        if op == "In" and not (key in labels and str(labels[key]) in values):
            return False
        if op == "NotIn" and key in labels and str(labels[key]) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _provider_ref(kind: str, name: str, namespace: str) -> dict[str, str]:
    return {"apiVersion": API_VERSION, "kind": kind, "name": name, "namespace": namespace}


class _Expander:
    def __init__(self, rset: Resource, providers: _Providers, locator: _Locator):
        self.rset = rset
        self.spec = rset.spec
        self.namespace = rset.namespace or "default"
        self.ident = f"{self.namespace}/{rset.name}"
        self.providers = providers
        self.locator = locator
        self.notes: list[Diagnostic] = []
        self.uses_standin_id = False
        self.generated_by = GeneratedBy("ResourceSet", self.namespace, rset.name, rset.file, rset.line)

    # diagnostics -------------------------------------------------------------------
    def warn(self, message: str, line: int | None = None, code: str = "FW-RSET-FAILED") -> _Failed:
        """flux-operator fails the ResourceSet: a repo problem."""
        return _Failed(Diagnostic(self.rset.file, line or self.rset.line, f"ResourceSet {self.ident}: {message}",
                                  code=code))

    def limit(self, message: str, line: int | None = None) -> _Failed:
        """What it generates is not known here: a simulation note."""
        return _Failed(self._limit(message, line))

    def _limit(self, message: str, line: int | None = None) -> Diagnostic:
        return Diagnostic(self.rset.file, line or self.rset.line, f"ResourceSet {self.ident}: {message}",
                          code="FW-RSET-NOT-EXPANDED", cls="limit")

    def note(self, message: str, line: int | None = None) -> None:
        """Worth knowing, nothing missing: a notice."""
        self.notes.append(Diagnostic(self.rset.file, line or self.rset.line, f"ResourceSet {self.ident}: {message}",
                                     severity="info", code="FW-RSET-NOTE", cls="limit"))

    # inputs ------------------------------------------------------------------------
    def inline_inputs(self) -> list[dict[str, Any]]:
        raw = self.spec.get("inputs")
        if raw is not None and not isinstance(raw, list):
            raise self.warn("spec.inputs must be a list of input sets (the API server rejects it)")
        out = []
        for i, item in enumerate(_list(raw)):
            if not isinstance(item, dict):
                raise self.warn(f"spec.inputs[{i}] must be a map of input values (the API server rejects it)",
                                self.locator.line(self.rset, ["spec", "inputs", i])[0])
            data = _secrets_unread(goyaml.json_normalize(item))
            data["provider"] = _provider_ref("ResourceSet", self.rset.name, self.namespace)
            out.append(data)
        return out

    def provider_inputs(self) -> tuple[list[tuple[str, list[dict[str, Any]]]], list[str]]:
        """(name, input sets) of each provider the ResourceSet reads, sorted; and the live ones skipped."""
        found: dict[tuple[str, str], Resource] = {}
        for i, ref in enumerate(_list(self.spec.get("inputsFrom"))):
            ref = _dict(ref)
            line = self.locator.line(self.rset, ["spec", "inputsFrom", i])[0]
            kind = ref.get("kind") or PROVIDER_KIND
            if kind != PROVIDER_KIND:
                raise self.warn(f"spec.inputsFrom[{i}].kind must be {PROVIDER_KIND} (the API server rejects it)", line)
            if ref.get("name"):
                res = self.providers.named(self.namespace, str(ref["name"]))
                if res is None:
                    raise self.warn(f"failed to get provider {self.namespace}/{ref['name']}: no "
                                    f"{PROVIDER_KIND} of that name in the namespace; flux-operator fails the "
                                    "ResourceSet", line, "FW-RSET-PROVIDER-MISSING")
                found.setdefault((self.namespace, res.name), res)
            elif isinstance(ref.get("selector"), dict):
                for res in self.providers.selected(self.namespace, ref["selector"]):
                    found.setdefault((self.namespace, res.name), res)
            else:
                raise self.warn("input provider reference must have either name or selector set", line)
        groups: list[tuple[str, list[dict[str, Any]]]] = []
        skipped: list[str] = []
        for (ns, name), res in sorted(found.items()):
            spec = res.spec
            ptype = str(spec.get("type") or "")
            where = f"{PROVIDER_KIND} {ns}/{name} ({res.file}:{res.line})"
            if ptype != "Static":
                source = _LIVE_SOURCES.get(ptype, f"inputs of type {ptype!r}" if ptype else "inputs of no type")
                skipped.append(f"{where} reads {source} at run time")
                continue
            defaults = spec.get("defaultValues")
            data = _secrets_unread(goyaml.json_normalize(defaults)) if isinstance(defaults, dict) else {}
            data["id"] = _adler32(f"{ns}/{name}")
            self.uses_standin_id = True
            data["provider"] = _provider_ref(PROVIDER_KIND, name, ns)
            groups.append((name, [data]))
        return groups, skipped

    def combined_inputs(self) -> list[dict[str, Any]] | None:
        """The input sets to render with; None when inputsFrom gave none (flux-operator applies nothing)."""
        inline = self.inline_inputs()
        groups, skipped = self.provider_inputs()
        strategy = _dict(self.spec.get("inputStrategy"))
        name = str(strategy.get("name") or "Flatten")
        for reason in skipped:
            self.notes.append(self._limit(f"inputs from {reason}; the objects they generate are skipped"))
        if name == "Flatten":
            sets = inline + [s for _, g in groups for s in g]
            if len(sets) > MAX_INPUT_SETS:
                raise self.limit(f"{len(sets)} input sets is more than flux-wiki expands ({MAX_INPUT_SETS})")
        elif name == "Permute":
            if skipped:
                raise self.limit("the Permute input strategy multiplies by inputs only known at run time; "
                                 "no objects are generated here")
            sets = self.permute([(self.rset.name, inline)] + groups, bool(strategy.get("includeEmptyProviders")))
        else:
            raise self.warn(f"failed to compute inputs: unknown input strategy: '{name}'")
        if self.spec.get("inputsFrom") and not sets:
            return None
        return sets

    def permute(self, groups: list[tuple[str, list[dict[str, Any]]]], include_empty: bool) -> list[dict[str, Any]]:
        scoped: list[tuple[str, list[dict[str, Any]]]] = []
        expected = 1
        for name, sets in groups:
            if not sets and not include_empty:
                continue
            expected *= len(sets)
            if expected > MAX_PERMUTATIONS:
                raise self.warn(f"failed to compute inputs: adding provider '{name}' with {len(sets)} inputs would "
                                f"exceed the maximum allowed permutations. max: {MAX_PERMUTATIONS}, got: {expected}")
            key = normalize_provider_name(name)
            if not key:
                raise self.warn(f"failed to compute inputs: normalized provider name is empty: '{name}'")
            scoped.append((key, sets))
        if not scoped:
            return []
        out = []
        for choice in product(*[list(enumerate(sets)) for _, sets in scoped]):
            perm: dict[str, Any] = {}
            ids = []
            for (key, _), (idx, inputs) in zip(scoped, choice):
                perm[key] = inputs
                ids.append(f"{key}={idx}")
            perm["id"] = _adler32("/".join(ids))
            out.append(perm)
        return out

    # templates ----------------------------------------------------------------------
    def sources(self, spec: dict[str, Any], path: list[str | int], funcs: dict[str, Any]) -> list[_Source]:
        out = []
        resources = spec.get("resources")
        if resources is not None and not isinstance(resources, list):
            raise self.warn(f"{_label(path + ['resources'])} must be a list (the API server rejects it)")
        for i, item in enumerate(_list(resources)):
            label = _label(path + ["resources", i])
            line = self.locator.line(self.rset, path + ["resources", i])[0]
            if not isinstance(item, dict):
                raise self.warn(f"{label} must be an object (the API server rejects it)", line)
            out.append(_Source(label, self._parse(goyaml.marshal(item), label, line, False, funcs), True, line,
                               False))
        text = spec.get("resourcesTemplate")
        if text is not None and text != "":
            label = _label(path + ["resourcesTemplate"])
            line, block = self.locator.line(self.rset, path + ["resourcesTemplate"])
            if not isinstance(text, str):
                raise self.warn(f"{label} must be a string (the API server rejects it)", line)
            out.append(_Source(label, self._parse(text, label, line, block, funcs), False, line, block))
        return out

    def _parse(self, text: str, label: str, line: int, follows: bool, funcs: dict[str, Any]) -> Template:
        from .gotemplate import TemplateError, parse

        try:
            return parse(text, funcs, "<<", ">>")
        except TemplateError as err:
            at = line + err.line - 1 if follows and err.line else line
            raise self.warn(f"{label}: failed to parse template: {err.message}", at) from None

    def build(self, sources: list[_Source], inputs: list[dict[str, Any]], current: list[Any],
              budget: Budget) -> list[Resource]:
        """flux-operator BuildResourceSet: `resources` entries first, then the template; exclusions, dedup."""
        objects: list[Resource] = []
        keys: set[tuple[str, str, str, str]] = set()
        rounds: list[Any] = inputs if inputs else [{}]
        for src in sources:
            built: list[Resource] = []
            for data in rounds:
                current[0] = data
                built.extend(self.render(src, budget))
                if len(built) + len(objects) > MAX_OBJECTS:
                    raise self.limit(f"generates more than {MAX_OBJECTS} objects, more than flux-wiki expands")
            filtered = not (src.single and not inputs)
            for res in built:
                if filtered and str(_dict(res.metadata.get("annotations")).get(RECONCILE_ANNOTATION)) == "disabled":
                    continue
                key = (res.group, res.kind, res.namespace, res.name)
                if filtered and key in keys:
                    continue
                keys.add(key)
                objects.append(res)
        return objects

    def render(self, src: _Source, budget: Budget) -> list[Resource]:
        from .gotemplate import MISSING, TemplateError

        try:
            rendered = src.template.execute(MISSING, budget)
        except TemplateError as err:
            at = src.line + err.line - 1 if src.lines_follow_file and err.line else src.line
            raise self.warn(f"{src.label}: failed to execute template: {err.message}", at) from None
        text = rendered.text
        line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

        def file_line(out_line: int) -> int:
            if not src.lines_follow_file:
                return src.line
            offset = rendered.template_offset(line_starts[min(out_line, len(line_starts)) - 1])
            return src.line + src.template.text.count("\n", 0, offset)

        repo = self.locator.repo
        try:  # shared documents: each object is normalised into a new tree below, never changed in place
            docs = parse_documents(text, self.rset.file) if repo is None else \
                repo.cache.text_documents(text, self.rset.file)
        except RecursionError:
            raise self.limit(f"{src.label}: the rendered YAML nests deeper than flux-wiki reads") from None
        except InputError as err:
            if "nesting depth" in err.message:  # libyaml's bound, lower than go-yaml's
                raise self.limit(f"{src.label}: the rendered YAML nests deeper than flux-wiki reads") from None
            raise self.warn(f"{src.label}: the rendered template is not valid YAML (line {err.line} of the "
                            f"output): {err.message.removeprefix('invalid YAML: ')}", file_line(err.line)) from None
        if src.single:
            docs = docs[:1]
            if not docs:
                raise self.warn(f"{src.label}: failed to read object: EOF", src.line)
        out = []
        for doc in docs:
            line = file_line(doc.line)
            for obj in _objects(doc.data):
                if not isinstance(obj, dict):
                    raise self.warn(f"{src.label}: a rendered document is not an object", line)
                if not obj.get("kind"):
                    raise self.warn(f"{src.label}: Object 'Kind' is missing in a rendered document", line)
                if not obj.get("apiVersion"):
                    raise self.warn(f"{src.label}: Object 'apiVersion' is missing in a rendered document", line)
                md = obj.get("metadata")
                if not src.single and (not isinstance(md, dict) or not md.get("name")):
                    continue  # ssautil.ReadObjects keeps only objects with a name
                if not src.single and str(obj.get("apiVersion", "")).startswith("kustomize.config.k8s.io") \
                        and obj.get("kind") == "Kustomization":
                    continue
                out.append(Resource(goyaml.json_normalize(obj), self.rset.file, line,
                                    generated_by=self.generated_by))
        return out

    # metadata ------------------------------------------------------------------------
    def finish(self, objects: list[Resource]) -> None:
        common = _dict(self.spec.get("commonMetadata"))
        labels = {OWNER_LABELS[0]: self.rset.name, OWNER_LABELS[1]: self.namespace}
        for res in objects:
            md = res.obj.setdefault("metadata", {})
            if not isinstance(md, dict):
                continue
            md["labels"] = {**_dict(md.get("labels")), **labels, **{str(k): str(v) for k, v in
                                                                    _dict(common.get("labels")).items()}}
            annotations = {str(k): str(v) for k, v in _dict(common.get("annotations")).items()}
            if annotations:
                md["annotations"] = {**_dict(md.get("annotations")), **annotations}
            source = _dict(md.get("annotations")).get(COPY_FROM_ANNOTATION)
            if source and res.api_version == "v1" and res.kind in ("ConfigMap", "Secret"):
                copied = self.providers.copy_source(res.kind, str(source))
                if copied is not None:  # flux-operator copyResources: the source's data replaces the object's
                    for key in ("data", "stringData") if res.kind == "Secret" else ("data",):
                        if isinstance(copied.obj.get(key), dict):
                            res.obj[key] = dict(copied.obj[key])
                else:
                    self.note(f"{res.kind} {res.ident()} copies its data at run time from {source}; that data is "
                              "not shown", res.line)

    def expand(self) -> list[Resource]:
        if self.rset.encrypted or "sops" in self.rset.obj:
            raise self.limit("is SOPS-encrypted; kustomize-controller decrypts it in the cluster, so flux-wiki "
                             "does not render it")
        if str(_dict(self.rset.metadata.get("annotations")).get(RECONCILE_ANNOTATION, "")).lower() == "disabled":
            self.note("reconciliation is disabled (fluxcd.controlplane.io/reconcile: disabled); it generates nothing")
            return []
        steps = self.spec.get("steps")
        if steps and (self.spec.get("resources") or self.spec.get("resourcesTemplate")):
            raise self.warn("spec.steps is mutually exclusive with spec.resources and spec.resourcesTemplate")
        inputs = self.combined_inputs()
        if inputs is None:
            if not self.notes:
                self.note("its input providers give no inputs here; it generates nothing")
            return []
        from .gotemplate import Budget
        from .sprig import function_map

        current: list[Any] = [{}]
        funcs = function_map(lambda: current[0])
        budget = Budget()
        if steps:
            if not isinstance(steps, list):
                raise self.warn("spec.steps must be a list (the API server rejects it)")
            objects: list[Resource] = []
            owner: dict[tuple[str, str, str, str], str] = {}
            for j, step in enumerate(steps):
                step = _dict(step)
                name = str(step.get("name") or j)
                built = self.build(self.sources(step, ["spec", "steps", j], funcs), inputs, current, budget)
                for res in built:
                    key = (res.group, res.kind, res.namespace, res.name)
                    if key in owner and owner[key] != name:
                        raise self.warn(f"duplicate resource {res.kind}/{res.ident()} in step {name!r}, already "
                                        f"defined in step {owner[key]!r}", res.line)
                    owner[key] = name
                objects.extend(built)
        else:
            objects = self.build(self.sources(self.spec, ["spec"], funcs), inputs, current, budget)
        if self.uses_standin_id and re.search(_READS_ID, str(self.spec.get("resourcesTemplate") or "")
                                              + str(self.spec.get("resources") or "")):
            self.note("inputs.id of a Static ResourceSetInputProvider is the Adler-32 of its UID, known only in the "
                      "cluster; flux-wiki renders a stand-in")
        self.finish(objects)
        return objects


def _label(path: list[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _objects(data: Any) -> list[Any]:
    """A document's objects: a `kind: List`-style document stands for its items."""
    if isinstance(data, dict) and str(data.get("kind", "")).endswith("List") and isinstance(data.get("items"), list):
        return list(data["items"])
    return [data]


def expand_resourceset(rset: Resource, *, current: list[Resource] | None = None, store: Any = None,
                       repo: Repo | None = None, locator: _Locator | None = None) -> Expansion:
    """The objects flux-operator generates from ``rset``, with provenance, and what to say about them.

    ``current`` are the objects applied with the ResourceSet and ``store`` the simulation's object store
    (both searched for ResourceSetInputProviders); ``repo`` lets provenance point at template lines.
    """
    from .gotemplate import NotSimulated, TemplateLimit

    expander = _Expander(rset, _Providers(current or [], store), locator or _Locator(repo))
    try:
        objects = expander.expand()
    except _Failed as failed:
        return Expansion([], expander.notes + [failed.diagnostic])
    except (TemplateLimit, goyaml.TooLarge) as err:
        return Expansion([], expander.notes + [expander._limit(f"not expanded: {err}")])
    except NotSimulated as err:
        return Expansion([], expander.notes + [expander._limit(f"not expanded: {err}")])
    return Expansion(objects, expander.notes)


def expand_resourcesets(resources: list[Resource], store: Any = None,
                        repo: Repo | None = None) -> tuple[list[Resource], list[Diagnostic]]:
    """Expand every ResourceSet among ``resources`` (one Kustomization's applied objects)."""
    generated: list[Resource] = []
    diagnostics: list[Diagnostic] = []
    locator = _Locator(repo)
    for res in resources:
        if is_resourceset(res):
            result = expand_resourceset(res, current=resources, store=store, locator=locator)
            generated.extend(result.resources)
            diagnostics.extend(result.diagnostics)
    return generated, diagnostics
