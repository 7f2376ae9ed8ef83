"""A native kustomize builder, and the way kustomize-controller drives it.

``build_kustomize_dir`` does what ``kubectl kustomize`` does for a folder;
``build_flux_path`` first does what fluxcd/pkg's kustomize generator does: use
the folder's kustomization file or generate one (every manifest below it; each
sub-folder with its own kustomization file as one resource), merge the Flux
Kustomization's own fields into it in place, and build with load restrictions
off (anywhere inside the repo, never outside).

The accumulation order follows kustomize's KustTarget: resources, the field-spec
configuration (kustomize's defaults merged with ``configurations:``), generators
(``configMapGenerator``, ``secretGenerator``, then ``generators:``), components,
then transformers (legacy strategic-merge patches, patches, namespace, prefix,
suffix, labels, annotations, legacy JSON 6902 patches, replicas, images,
replacements, then ``transformers:``). Hash suffixes and back-references to
renamed objects are resolved once at the top, with the configuration merged from
every kustomization of the build, then the output is sorted in kustomize's legacy
order.

What flux-wiki cannot know is a limit, never a failure: a remote resource,
component or file is listed (``BuildResult.remote``) and the build goes on without
it, as it does without a path this repository lacks in a folder the source's
``spec.include`` fills with another repository's artifact; a patch, replacement or
replica count whose target may be in that remote or included content is skipped; a built-in plugin flux-wiki does not simulate, ``openapi``,
``crds``, ``vars`` and ``validators`` are noted. Each is a ``Diagnostic`` of class
"limit" (severity "info"). What kustomize-controller refuses is an error:
``helmCharts`` (it never enables Helm) and exec or KRM-function plugins.
"""

from __future__ import annotations

import json
import os
import posixpath
from contextlib import contextmanager
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import yaml

from ...analysis.redact import url_without_credentials
from ...load import Document, ParseCache, Repo, parse_documents
from ...load.yamldocs import GrowthBudget, block_scalar_line, copy_data, field_line
from ...model import (SOPS_ENCRYPTED_KIND, DependsOnKey, Diagnostic, FieldAt, InputError, Resource, ValuesPath,
                      host_fields, value_at)
from ...problems import problem_class
from ...records import slots_replace
from ..fields import is_ciphertext
from ..objects import FluxOverrides
from ..schema import ANY, KUSTOMIZATION_FILE, REPLACEMENT, field_shapes, problems
from .fieldspec import (DEFAULTS, MAX_CUSTOM_FIELD_SPECS, NO_CONFIG, FieldSpec, FieldSpecError, Gvk, TransformerConfig,
                        merge_specs, parse_config, spec_of)
from .patch import PatchError, apply_json6902, apply_strategic, group_of, pointer_parts, selects, version_of
from .plugins import ROLE_BINDING_SUBJECTS, SIMULATED, PluginError, field_specs, generator_entry, plugin_kind
from .transform import (TargetNotFound, WorkRes, add_affix, copy_top, effective_ns, fix_back_references,
                        legacy_order_key, set_entries, set_images, set_namespace, set_replicas)

SOPS_ENCRYPTED_API_VERSION = "sops.flux-wiki.invalid/v1"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
REMOTE_PREFIXES = ("git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/",
                   "gitlab.com/", "bitbucket.org/")
KUSTOMIZE_API = "kustomize.config.k8s.io"
_NOUNS = {"resources": "resource", "components": "component", "patches": "patch", "patchesStrategicMerge": "patch",
          "patchesJson6902": "patch", "replacements": "replacement", "configurations": "configuration",
          "transformers": "transformer", "generators": "generator", "validators": "validator"}
# Fields kustomize acts on that flux-wiki does not simulate: the output may differ (a limit, not a failure).
_NOT_SIMULATED = {
    "openapi": "a custom OpenAPI schema changes how strategic-merge patches merge lists of custom kinds",
    "crds": "field specs read from CRD schemas (crds:) are not applied",
    "vars": "$(VAR) references (vars:) are not substituted",
}
LIMIT = "limit"
# a source's spec.include: (folder of the artifact another GitRepository's artifact fills, "" for the root; which
# GitRepository includes which, and where, as a limit names it)
Includes = tuple[tuple[str, str], ...]


def included_in(includes: Includes, rel: str) -> tuple[str, str] | None:
    """The include (folder, who includes what) whose folder holds repository path ``rel``, or None."""
    return next(((to, who) for to, who in includes if not to or rel == to or rel.startswith(to + "/")), None)


BUILTIN = "builtin"
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
TRANSFORMATIONS_ANNOTATION = "alpha.config.kubernetes.io/transformations"
LOCAL_CONFIG_ANNOTATION = "config.kubernetes.io/local-config"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kustomize-(devel)"  # what kustomize embedded in kubectl and kustomize-controller writes
# Annotations kustomize (kio and its build) keeps on objects while it works and removes from its output
_BUILD_ANNOTATIONS = frozenset({
    "config.kubernetes.io/index", "config.kubernetes.io/path", "config.k8s.io/id",
    *(f"internal.config.kubernetes.io/{name}" for name in (
        "index", "path", "id", "seqindent", "annotations-migration-resource-id", "previousKinds", "previousNames",
        "prefixes", "suffixes", "previousNamespaces", "refBy", "generatorBehavior", "needsHashSuffix",
        "allowNameChange", "allowKindChange")),
})


class BuildResult:
    """One kustomization folder built: its objects, the files it read, the remote entries it did not fetch, its
    ``helmCharts`` entries and what flux-wiki has to say about it."""

    __slots__ = ("resources", "files", "remote", "helm_charts", "diagnostics", "remote_bases")

    def __init__(self, resources: list[Resource], files: list[str], remote: list[str], helm_charts: list[dict],
                 diagnostics: list[Diagnostic], remote_bases: list[tuple[str, str, int]] | None = None) -> None:
        self.resources = resources
        self.files = files
        self.remote = remote
        self.helm_charts = helm_charts
        self.diagnostics = diagnostics
        self.remote_bases = [] if remote_bases is None else remote_bases  # (url, file, line) kustomize clones

    def __replace__(self, **changes: Any) -> BuildResult:
        """A copy with ``changes`` to its fields (the others are the same lists)."""
        return slots_replace(self, changes)

    replace = __replace__

    @property
    def limits(self) -> list[Diagnostic]:
        """What flux-wiki could not include or simulate: the build's output is partial."""
        return [d for d in self.diagnostics if d.cls == LIMIT]


def _limit(file: str, line: int, message: str, code: str) -> Diagnostic:
    return Diagnostic(file, line, message, code=code, cls=LIMIT)


class _Accumulation:
    """kustomize's ResAccumulator: the resources so far and the field-spec configuration they were built with."""

    __slots__ = ("res", "config")

    def __init__(self, res: list[WorkRes], config: TransformerConfig) -> None:
        self.res = res
        self.config = config


def is_remote(ref: str) -> bool:
    """A resource/component reference kustomize would fetch rather than read from disk."""
    lower = ref.lower()
    return lower.startswith(REMOTE_PREFIXES) or "?ref=" in lower or "://" in lower


def is_remote_base(ref: str, key: str) -> bool:
    """A remote entry kustomize surely clones as a git repository rather than fetches as a file over HTTP: every
    remote component (``accumulateComponents``: "Components always refer to directories"), and a remote resource
    that is no http(s) URL or names a repository (``?ref=``, ``.git``, a ``//`` subfolder). kustomize loads a
    resource as a file first (``accumulateResources``, api/internal/target/kusttarget.go), and its file loader
    fetches an http(s) URL itself; an http(s) URL naming no repository may be either, so it is not counted."""
    if key == "components":
        return True
    parts = urlsplit(ref)
    if parts.scheme.lower() not in ("http", "https"):
        return True
    path = parts.path.lower()
    query = parse_qs(parts.query)
    return ("ref" in query or "version" in query or "//" in path or ".git/" in path or path.endswith(".git")
            or "/_git/" in path)


def _join(base: str, name: str) -> str:
    return f"{base}/{name}" if base not in ("", ".") else name


class _Kustomization:
    """One kustomization file's content and where it lives."""

    __slots__ = ("dir", "file", "line", "data", "generated")

    def __init__(self, dir: str, file: str, line: int, data: dict[str, Any], generated: bool = False) -> None:
        self.dir = dir
        self.file = file
        self.line = line
        self.data = data
        self.generated = generated


class _EntryLines:
    """The lines of a kustomization file that may name an entry, indexed once per file (a file names every
    entry it lists, each asked for in turn): the first line whose value is a text (``- x``, ``path: x``,
    ``- name: x``, quoted or not), and the last line of each top-level-looking ``key:``."""

    def __init__(self, text: str) -> None:
        self.first_naming: dict[str, int] = {}
        self.last_key: dict[str, int] = {}
        for i, raw in enumerate(text.split("\n"), start=1):
            s = raw.strip()
            key, colon, _ = s.partition(":")
            if colon:
                self.last_key[key] = i
            body = s[2:].strip() if s.startswith("- ") else s
            for prefix in ("path:", "name:", "patch:"):
                if body.startswith(prefix):
                    body = body[len(prefix):].strip()
            self.first_naming.setdefault(body.strip("'\""), i)


_ENTRY_LINES_KEPT = 4096  # indexes of kustomization files a parse cache keeps (oldest forgotten first)


def _entry_lines(cache: ParseCache, text: str) -> _EntryLines:
    """The index of a kustomization file's text, made once per parse cache: every build that reads a shared
    folder (a component, a base) asks about the same file."""
    kept: dict[str, _EntryLines] = cache.derived.setdefault("kustomization entry lines", {})
    index = kept.get(text)
    if index is None:
        index = kept[text] = _EntryLines(text)
        while len(kept) > _ENTRY_LINES_KEPT:
            del kept[next(iter(kept))]
    return index


class _Builder:
    def __init__(self, repo: Repo, includes: Includes = ()):
        self.repo = repo
        self.includes = includes
        self.files: set[str] = set()
        self.remote: list[str] = []
        self.included: list[str] = []  # entries in a folder another repository fills (``includes``)
        self.remote_bases: list[tuple[str, str, int]] = []
        self.helm_charts: list[dict] = []
        self.diagnostics: list[Diagnostic] = []
        self._stack: list[str] = []
        self._entries: dict[str, _EntryLines] = {}
        self.growth = GrowthBudget()  # what copies (JSON 6902, replacements) may add to this build

    # -- files -------------------------------------------------------------
    def entry_line(self, k: _Kustomization, value: Any, key: str | None = None) -> int:
        """Best line of a kustomization entry (the list item naming ``value``), else of its ``key:``."""
        if k.generated:
            return k.line
        index = self._entries.get(k.file)
        if index is None:
            index = self._entries[k.file] = _entry_lines(self.repo.cache, self.repo.read_text(k.file))
        if isinstance(value, str) and value in index.first_naming:
            return index.first_naming[value]
        return index.last_key.get(key, k.line) if key else k.line

    def find_kfile(self, rel: str) -> str | None:
        for name in KUSTOMIZATION_FILES:
            cand = _join(rel, name)
            found = self.repo.entry(cand)
            if found.kind == "refused" and not self.repo.ignored(cand):
                self.repo.note(cand, found.reason, found.code)
            elif found.kind == "file" and not self.repo.ignored(cand):
                return cand
        return None

    def load_kfile(self, kfile: str, *, flux_top: bool = False) -> _Kustomization:
        """A kustomization file as kustomize reads it. ``flux_top``: the one at a Flux Kustomization's path,
        which kustomize-controller reads leniently and writes back before kustomize sees it."""
        self.files.add(kfile)
        docs = self.repo.documents(kfile)
        if not docs:
            raise InputError(kfile, 1, "kustomization file is empty", code="FW-KUSTOMIZE-INVALID")
        doc = docs[0]
        if not isinstance(doc.data, dict):
            raise InputError(kfile, doc.line, "kustomization file must hold a mapping", code="FW-KUSTOMIZE-INVALID")
        self.note_duplicates(doc)
        if len(docs) > 1:
            self.diagnostics.append(Diagnostic(
                kfile, docs[1].line, f"kustomization file holds {len(docs)} YAML documents: kustomize reads the "
                "first only, so the others (from this line) have no effect", severity="info",
                code="FW-KUSTOMIZE-DOCUMENTS-IGNORED", cls="limit"))
        if _has_short_boolean(doc.data):
            _read_short_booleans(doc.data, self.repo.read_text(kfile))
        data, unknown = _go_fields(doc.data)
        if unknown and not flux_top:
            where = unknown[0]
            line = field_line(self.repo.read_text(kfile), doc.line, where)
            field = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(where))
            raise InputError(kfile, line, f"invalid Kustomization: unknown field {field!r} (kustomize refuses it)",
                             code="FW-KUSTOMIZE-INVALID")
        bad = problems(data, KUSTOMIZATION_FILE)
        if bad:
            line = field_line(self.repo.read_text(kfile), doc.line, bad[0].path)
            raise InputError(kfile, line, f"invalid kustomization: {bad[0]} (kustomize refuses it)", code="FW-KUSTOMIZE-INVALID")
        return _Kustomization(os.path.dirname(kfile) or ".", kfile, doc.line, data)

    def note_duplicates(self, doc: Document) -> None:
        """kustomize reads its own files with sigs.k8s.io/yaml: a repeated key silently keeps the last value."""
        for d in doc.duplicates:
            self.diagnostics.append(Diagnostic(doc.file, d.line, f"{d.message()}; kustomize keeps this last value",
                                               code="FW-YAML-DUPLICATE-KEY"))

    # -- resources ---------------------------------------------------------
    def run(self, k: _Kustomization, acc: _Accumulation | None = None, component: bool = False,
            top: bool = False) -> _Accumulation:
        kind = k.data.get("kind") or "Kustomization"
        if component and kind != "Component":
            raise InputError(k.file, k.line, f"expected kind 'Component' in {k.file}, got '{kind}'", code="FW-KUSTOMIZE-INVALID")
        if not component and kind != "Kustomization" and not (top and kind == "Component"):
            raise InputError(k.file, k.line, f"expected kind 'Kustomization' in {k.file}, got '{kind}'", code="FW-KUSTOMIZE-INVALID")
        version = _KUSTOMIZATION_VERSIONS[kind]
        if k.data.get("apiVersion") and k.data["apiVersion"] != version:
            line = k.line if k.generated else field_line(self.repo.read_text(k.file), k.line, ("apiVersion",))
            raise InputError(k.file, line, f"apiVersion for {kind} should be {version}, got "
                                           f"'{k.data['apiVersion']}' (kustomize refuses it)", code="FW-KUSTOMIZE-INVALID")
        if k.dir in self._stack:
            raise InputError(k.file, k.line, f"cycle: {' -> '.join(self._stack + [k.dir])}", code="FW-KUSTOMIZE-CYCLE")
        self._stack.append(k.dir)
        try:
            acc = _Accumulation([], NO_CONFIG) if acc is None else acc
            self.accumulate(k, acc)
            return acc
        finally:
            self._stack.pop()

    def accumulate(self, k: _Kustomization, acc: _Accumulation) -> None:
        d = k.data
        for key, why in _NOT_SIMULATED.items():
            if d.get(key):
                self.diagnostics.append(_limit(k.file, self.entry_line(k, None, key),
                                               f"kustomize '{key}' is not simulated: {why}",
                                               "FW-KUSTOMIZE-UNSUPPORTED"))
        ids = {r.cur_id() for r in acc.res}  # grows with each resource added: nothing renames objects meanwhile
        for key in ("resources", "bases"):
            for entry in _as_list(d.get(key), k, key):
                self.add_resource(k, entry, acc, key, ids)
        acc.config = self.merge_config(k, acc.config, self.configurations(k))
        self.refuse_helm_charts(k)
        self.run_generators(k, acc.res)
        self.run_plugins(k, acc, "generators")
        for entry in _as_list(d.get("components"), k, "components"):
            self.add_component(k, entry, acc)
        self.run_transformers(k, acc)
        self.run_plugins(k, acc, "transformers")
        self.run_plugins(k, acc, "validators")

    def _resolve(self, k: _Kustomization, entry: str, key: str) -> tuple[str, int] | None:
        """Where an entry is and the line naming it; None when it is in a folder another repository's artifact
        fills (noted as a limit)."""
        line = self.entry_line(k, entry, key)
        what = _NOUNS.get(key, key)
        rel, found = self.repo.locate(k.dir, entry, referrer=k.file, line=line, what=what)
        if not found.usable or self.repo.ignored(rel, found.kind == "dir"):
            if self.note_included(k.file, line, rel, f"{what} '{entry}'", entry):
                return None
            raise InputError(k.file, line, f"{what} '{entry}' not found", code="FW-KUSTOMIZE-MISSING")
        return rel, line

    @property
    def partial(self) -> bool:
        """Whether content this build cannot read (a remote entry, a folder another repository fills) may hold the
        object a patch, replacement or merge names: its absence is then a limit, not kustomize's failure."""
        return bool(self.remote or self.included)

    def note_included(self, file: str, line: int, rel: str, named: str, entry: str) -> bool:
        """Whether ``rel``, which this repository lacks, is in a folder the source's ``spec.include`` fills with
        another repository's artifact: noted as a limit, the build goes on without it."""
        found = included_in(self.includes, rel)
        if found is None:
            return False
        to, who = found
        self.included.append(entry)
        self.diagnostics.append(_limit(file, line, f"{named} is in {to or 'the root'}, where {who}: that "
                                                   "repository's content is not read here, what it adds "
                                                   "is not shown", "FW-KUSTOMIZE-INCLUDED"))
        return True

    def note_remote(self, k: _Kustomization, entry: str, key: str) -> None:
        """A remote resource, component or file: kustomize-controller fetches it, flux-wiki does not."""
        entry = url_without_credentials(entry)
        line = self.entry_line(k, entry, key)
        if key in ("resources", "bases", "components") and is_remote_base(entry, key):
            self.remote_bases.append((entry, k.file, line))
        self.remote.append(entry)
        what = _NOUNS.get(key, "file")
        self.diagnostics.append(_limit(k.file, line,
                                       f"remote {what} '{entry}' is not fetched: what it adds is not shown",
                                       "FW-KUSTOMIZE-REMOTE"))

    def add_resource(self, k: _Kustomization, entry: Any, acc: _Accumulation, key: str = "resources",
                     ids: set[tuple[str, str, str, str]] | None = None) -> None:
        if not isinstance(entry, str):
            raise InputError(k.file, self.entry_line(k, None, key), f"{_NOUNS.get(key, key)} entry {entry!r} "
                                                                      "is not a path", code="FW-KUSTOMIZE-INVALID")
        if is_remote(entry):
            self.note_remote(k, entry, key)
            return
        resolved = self._resolve(k, entry, key)
        if resolved is None:
            return
        rel, line = resolved
        if self.repo.is_dir(rel):
            kfile = self.find_kfile(rel)
            if kfile is None:
                raise InputError(k.file, line, f"folder '{entry}' has no kustomization file", code="FW-KUSTOMIZE-MISSING")
            child = self.run(self.load_kfile(kfile))
            _append(acc.res, child.res, ids)
            acc.config = self.merge_config(k, acc.config, child.config)
        else:
            _append(acc.res, self.read_manifests(rel), ids)

    def read_manifests(self, rel: str) -> list[WorkRes]:
        self.files.add(rel)
        out = []
        for doc in self.repo.documents(rel, copy=False):  # each object's top copied (copy_top), the rest shared
            doc.require_unique_keys()
            data = doc.data
            if not isinstance(data, dict):
                raise InputError(rel, doc.line, "expected a Kubernetes object (a mapping)", code="FW-MANIFEST-INVALID")
            items = data.get("items") if str(data.get("kind", "")).endswith("List") \
                and isinstance(data.get("items"), list) else [data]
            for obj in items:
                if not isinstance(obj, dict) or not isinstance(obj.get("kind"), str) or not obj["kind"] \
                        or not isinstance(obj.get("apiVersion"), str) or not obj["apiVersion"]:
                    raise InputError(rel, doc.line, "not a Kubernetes object: apiVersion and kind are required "
                                                    "(strings)", code="FW-MANIFEST-INVALID")
                md = obj.get("metadata")
                if not isinstance(md, dict) or not md.get("name") or isinstance(md["name"], (dict, list)):
                    raise InputError(rel, doc.line, f"{obj['kind']} has no metadata.name", code="FW-MANIFEST-INVALID")
                encrypted = "sops" in obj
                if encrypted:
                    obj = copy_data(obj)
                    _redact(obj)
                    md = obj["metadata"]
                out.append(WorkRes(obj if encrypted else copy_top(obj), rel, doc.line, encrypted, str(md.get("name")),
                                   str(md.get("namespace") or ""), origin={"path": rel}, shared=not encrypted))
        return out

    def add_component(self, k: _Kustomization, entry: Any, acc: _Accumulation) -> None:
        if not isinstance(entry, str):
            raise InputError(k.file, k.line, f"component entry {entry!r} is not a path", code="FW-KUSTOMIZE-INVALID")
        if is_remote(entry):
            self.note_remote(k, entry, "components")
            return
        resolved = self._resolve(k, entry, "components")
        if resolved is None:
            return
        rel, line = resolved
        kfile = self.find_kfile(rel) if self.repo.is_dir(rel) else None
        if kfile is None:
            raise InputError(k.file, line, f"component '{entry}' is not a folder with a kustomization file", code="FW-KUSTOMIZE-MISSING")
        self.run(self.load_kfile(kfile), acc, component=True)

    # -- configurations ------------------------------------------------------
    def configurations(self, k: _Kustomization) -> TransformerConfig:
        """kustomize's defaults merged with the files ``configurations:`` names (kustomize v5.5 reads each entry
        as a path, and the first document of each file)."""
        config = DEFAULTS
        for entry in _as_list(k.data.get("configurations"), k, "configurations"):
            if not isinstance(entry, str):
                raise InputError(k.file, self.entry_line(k, None, "configurations"),
                                 f"configurations entry {entry!r} is not a path", code="FW-KUSTOMIZE-INVALID")
            if is_remote(entry):
                self.note_remote(k, entry, "configurations")
                continue
            resolved = self._resolve(k, entry, "configurations")
            if resolved is None:
                continue
            rel = resolved[0]
            self.files.add(rel)
            docs = self.repo.documents(rel)
            try:
                config = config.merge(parse_config(docs[0].data if docs else None))
            except FieldSpecError as err:
                raise InputError(rel, docs[0].line if docs else 1, f"configurations: {err}",
                                 code="FW-KUSTOMIZE-INVALID") from None
        return config

    def merge_config(self, k: _Kustomization, config: TransformerConfig, more: TransformerConfig) -> TransformerConfig:
        try:
            merged = config.merge(more)
        except FieldSpecError as err:
            raise InputError(k.file, self.entry_line(k, None, "configurations"), f"configurations: {err}",
                             code="FW-KUSTOMIZE-INVALID") from None
        if merged.count() > DEFAULTS.count() + MAX_CUSTOM_FIELD_SPECS:
            raise InputError(k.file, self.entry_line(k, None, "configurations"),
                             f"configurations add more than {MAX_CUSTOM_FIELD_SPECS:,} field specs, flux-wiki's "
                             "limit", code="FW-KUSTOMIZE-INVALID")
        return merged

    # -- generators --------------------------------------------------------
    def refuse_helm_charts(self, k: _Kustomization) -> None:
        """kustomize-controller builds with Helm off (fluxcd/pkg kustomize.Build), as kubectl does by default:
        a kustomization with ``helmCharts`` fails to build."""
        for key in ("helmCharts", "helmChartInflationGenerator"):
            charts = [dict(c) for c in _as_list(k.data.get(key), k, key) if isinstance(c, dict)]
            if charts:
                self.helm_charts.extend(charts)
                names = ", ".join(f"'{c.get('name') or c.get('chartName')}'" for c in charts)
                raise InputError(k.file, self.entry_line(k, None, key),
                                 f"{key} {names}: kustomize inflates Helm charts only with --enable-helm, which "
                                 "kustomize-controller never sets (the build fails: \"must specify "
                                 "--enable-helm\"); install the chart with a HelmRelease",
                                 code="FW-KUSTOMIZE-HELM")

    def run_generators(self, k: _Kustomization, res: list[WorkRes]) -> None:
        global_opts = k.data.get("generatorOptions")
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for entry in _as_list(k.data.get(key), k, key):
                if isinstance(entry, dict):
                    line = self.entry_line(k, entry.get("name"), key)
                    self.generate_into(k, kind, entry, global_opts, k.file, line, res,
                                       {"apiVersion": BUILTIN, "kind": f"{kind}Generator"})

    def generate_into(self, k: _Kustomization, kind: str, entry: dict[str, Any], global_opts: Any, file: str,
                      line: int, res: list[WorkRes], configured_by: dict[str, str]) -> None:
        """Generate one ConfigMap/Secret (files relative to ``k``) and add or merge it as its behavior says;
        ``configured_by`` names the generator in the object's origin."""
        from .generate import GeneratorError, generate  # loads with the first generator

        def read(path: str) -> bytes:
            if is_remote(path):
                self.remote.append(path)
                self.diagnostics.append(_limit(file, line, f"remote file '{path}' is not fetched: the "
                                                            f"{kind}'s value for it is empty here",
                                               "FW-KUSTOMIZE-REMOTE"))
                return b""
            rel, found = self.repo.locate(k.dir, path, referrer=file, line=line, what="file")
            if not found.usable and self.note_included(file, line, rel, f"file '{path}'", path):
                return b""
            if found.kind != "file":
                raise InputError(file, line, f"file '{path}' not found", code="FW-KUSTOMIZE-MISSING")
            self.files.add(rel)
            return self.repo.read_bytes(rel)

        try:
            obj, opts = generate(kind, entry, global_opts, read)
        except GeneratorError as err:
            raise InputError(file, line, str(err), code="FW-KUSTOMIZE-INVALID") from None
        new = WorkRes(obj, file, line, False, obj["metadata"]["name"], obj["metadata"].get("namespace", ""),
                      needs_hash=not opts.disable_hash, origin={"configuredIn": file, "configuredBy": configured_by})
        behavior = str(entry.get("behavior") or "create")
        if behavior == "create":
            _append(res, [new])
        else:
            self._merge_generated(file, line, res, new, behavior)

    def _merge_generated(self, file: str, line: int, res: list[WorkRes], new: WorkRes, behavior: str) -> None:
        if behavior not in ("merge", "replace"):
            raise InputError(file, line, f"unknown generator behavior '{behavior}'", code="FW-KUSTOMIZE-INVALID")
        ns = effective_ns(new)
        for old in res:
            if old.kind == new.kind and new.name in old.names() and (
                    effective_ns(old) == ns or effective_ns(old, old.org_ns) == ns):
                break
        else:
            if not self.partial:
                raise InputError(file, line, f"{new.kind} '{new.name}' to {behavior} does not exist", code="FW-KUSTOMIZE-INVALID")
            self.diagnostics.append(_limit(file, line, f"{new.kind} '{new.name}' to {behavior} is not in this "
                                                       "build; it may come from a remote resource: shown with the "
                                                       "generator's own data only", "FW-KUSTOMIZE-REMOTE"))
            _append(res, [new])
            return
        if behavior == "replace":
            for key in ("data", "binaryData", "stringData"):
                old.obj.pop(key, None)
        for key in ("data", "binaryData"):
            if key in new.obj:
                old.obj[key] = {**(old.obj.get(key) or {}), **new.obj[key]}
        for key in ("labels", "annotations"):
            if new.meta.get(key):
                old.meta[key] = {**(old.meta.get(key) or {}), **new.meta[key]}
        old.needs_hash = old.needs_hash and new.needs_hash
        if behavior == "replace":  # kustomize keeps the first generator's origin on a merge, not on a replace
            old.origin = new.origin

    # -- transformers ------------------------------------------------------
    def run_transformers(self, k: _Kustomization, acc: _Accumulation) -> None:
        d, res, config = k.data, acc.res, acc.config
        for i, entry in enumerate(_as_list(d.get("patchesStrategicMerge"), k, "patchesStrategicMerge")):
            self.patch(k, {"patch": entry} if not _looks_like_path(entry) else {"path": entry}, res,
                       "patchesStrategicMerge", ("patchesStrategicMerge", i))
        for i, entry in enumerate(_as_list(d.get("patches"), k, "patches")):
            self.patch(k, entry, res, "patches", ("patches", i, "patch"))
        with self.transforming(k, "namespace"):
            if d.get("namespace"):
                set_namespace(res, str(d["namespace"]), config["namespace"])
        with self.transforming(k, "namePrefix"):
            if d.get("namePrefix"):
                add_affix(res, str(d["namePrefix"]), config["namePrefix"])
        with self.transforming(k, "nameSuffix"):
            if d.get("nameSuffix"):
                add_affix(res, str(d["nameSuffix"]), config["nameSuffix"], suffix=True)
        with self.transforming(k, "labels"):
            for entry in _as_list(d.get("labels"), k, "labels"):
                if isinstance(entry, dict):
                    set_entries(res, entry.get("pairs"), _label_specs(entry, config))
        with self.transforming(k, "commonLabels"):
            if d.get("commonLabels"):
                set_entries(res, d["commonLabels"], config["commonLabels"])
        with self.transforming(k, "commonAnnotations"):
            if d.get("commonAnnotations"):
                set_entries(res, d["commonAnnotations"], config["commonAnnotations"], "annotations")
        for i, entry in enumerate(_as_list(d.get("patchesJson6902"), k, "patchesJson6902")):
            self.patch(k, entry, res, "patchesJson6902", ("patchesJson6902", i, "patch"))
        with self.transforming(k, "replicas"):
            for entry in _as_list(d.get("replicas"), k, "replicas"):
                if isinstance(entry, dict):
                    set_replicas(res, entry, config["replicas"])
        with self.transforming(k, "images"):
            set_images(res, [dict(i) for i in _as_list(d.get("images"), k, "images") if isinstance(i, dict)],
                       config["images"])
        for entry in _as_list(d.get("replacements"), k, "replacements"):
            self.replace(k, entry, res)

    @contextmanager
    def transforming(self, k: _Kustomization, key: str, where: tuple[str, int] | None = None) -> Iterator[None]:
        """A transformer's refusal as kustomize's build error at the field (or plugin config) that asked for it;
        a named target that is not there is a limit when remote content may hold it."""
        try:
            yield
        except TargetNotFound as err:
            file, line = where or (k.file, self.entry_line(k, None, key))
            if not self.partial:
                raise InputError(file, line, str(err), code="FW-KUSTOMIZE-PATCH") from None
            self.diagnostics.append(_limit(file, line, f"{err}; it may come from a remote resource",
                                           "FW-KUSTOMIZE-REMOTE"))
        except FieldSpecError as err:
            file, line = where or (k.file, self.entry_line(k, None, key))
            raise InputError(file, line, f"{key}: {err}", code="FW-KUSTOMIZE-INVALID") from None

    def _patch_text(self, k: _Kustomization, entry: dict[str, Any], key: str, held: tuple[str | int, ...] | None,
                    kind: str) -> tuple[list[Any], str, int, Callable[[int, tuple[str | int, ...]], FieldAt]] | None:
        """The patch documents of an entry, with the file/line they came from (None: a remote file), and where
        a field of the n-th document is written (``held``: where the kustomization file holds an inline patch).
        ``kind`` is the field whose transformer reads it (``patches``, ``patchesStrategicMerge``,
        ``patchesJson6902``): each refuses a patch that holds nothing its own way."""
        if entry.get("path"):
            if is_remote(str(entry["path"])):
                self.note_remote(k, str(entry["path"]), key)
                return None
            resolved = self._resolve(k, str(entry["path"]), key)
            if resolved is None:
                return None
            rel, at = resolved
            self.files.add(rel)
            content = self.repo.read_bytes(rel)
            if not content and kind == "patches" and isinstance(entry.get("target"), dict):
                return [], rel, 1, lambda n, path: FieldAt(rel, 1)  # PatchTransformer: an empty JSON 6902 patch
            if content.startswith(b"["):  # kustomize reads the file as it is, not trimmed
                text = content.decode("utf-8", errors="replace")
                ops = _json_patch(text, rel, 1)
                _refuse_empty([ops], kind, k.file, at, f"patch file '{entry['path']}'")
                return [ops], rel, 1, lambda n, path: FieldAt(rel, field_line(text, 1, path))
            docs = self.repo.cache.get(rel, content)  # shared: a patch is only read (patch.py copies what it adds)
            for d in docs:
                d.require_unique_keys()
            _refuse_empty([d.data for d in docs], kind, k.file, at, f"patch file '{entry['path']}'", empty=not content)
            return [d.data for d in docs], rel, docs[0].line if docs else 1, \
                lambda n, path: FieldAt(rel, field_line(self.repo.read_text(rel), docs[n].line, path))
        text = entry.get("patch")
        line = self.entry_line(k, None, key)
        if isinstance(text, (dict, list)):
            return [text], k.file, line, lambda n, path: self._inline_at(k, held, None, path, line)
        if not isinstance(text, str):
            raise InputError(k.file, line, f"{key} entry needs 'path' or 'patch'", code="FW-KUSTOMIZE-INVALID")
        if not text.strip():
            raise InputError(k.file, line, f"{key} entry has an empty 'patch' and no 'path': kustomize refuses it "
                                           "(must specify one of patch and path)", code="FW-KUSTOMIZE-PATCH",
                             cls=problem_class("FW-KUSTOMIZE-PATCH"))
        spec_patch = entry.index if isinstance(entry, SpecPatch) else None
        if text.strip().startswith("["):  # an inline patch is trimmed first
            ops = _json_patch(text.strip(), k.file, line)
            _refuse_empty([ops], kind, k.file, line, "inline patch")
            return [ops], k.file, line, lambda n, path: self._inline_at(k, held, spec_patch, (), line)
        try:
            docs = self.repo.cache.text_documents(text, k.file)  # shared: a patch is only read
            for d in docs:
                d.require_unique_keys()
        except InputError as err:
            raise InputError(k.file, line, f"invalid inline patch: {err.message}", code=err.code, cls=err.cls) from None
        _refuse_empty([d.data for d in docs], kind, k.file, line, "inline patch")
        return [d.data for d in docs], k.file, line, \
            lambda n, path: self._inline_at(k, held, spec_patch, field_line(text, docs[n].line, path), line)

    def _inline_at(self, k: _Kustomization, held: tuple[str | int, ...] | None, spec_patch: int | None,
                   inner: int | tuple[str | int, ...], fallback: int) -> FieldAt:
        """Where a field of an inline patch is written: ``inner`` is its line in the patch text, or its path when
        the patch is a mapping written in the kustomization file itself."""
        if spec_patch is not None:  # the Flux Kustomization's own spec.patches: resolved by the order analysis
            return FieldAt("", inner if isinstance(inner, int) else 1, spec_patch)
        if held is None or not self.repo.is_file(k.file):
            return FieldAt(k.file, fallback)
        ktext = self.repo.read_text(k.file)
        if isinstance(inner, tuple):
            return FieldAt(k.file, field_line(ktext, k.line, (*held, *inner)))
        return FieldAt(k.file, block_scalar_line(ktext, field_line(ktext, k.line, held), inner) if inner else
                       field_line(ktext, k.line, held))

    def patch(self, k: _Kustomization, entry: Any, res: list[WorkRes], key: str,
              held: tuple[str | int, ...] | None = None, kind: str = "") -> None:
        try:
            self._patch(k, entry, res, key, held, kind or key)
        except InputError as err:
            if isinstance(entry, SpecPatch):
                err.spec_field = ("patches", entry.index)
            raise

    def _patch(self, k: _Kustomization, entry: Any, res: list[WorkRes], key: str,
               held: tuple[str | int, ...] | None, kind: str) -> None:
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict):
            raise InputError(k.file, self.entry_line(k, None, key), f"{key} entry must be a mapping", code="FW-KUSTOMIZE-INVALID")
        text = self._patch_text(k, entry, key, held, kind)
        if text is None:
            return
        docs, pfile, pline, field_at = text
        target = entry.get("target")
        try:
            if kind == "patchesJson6902" and not isinstance(target, dict):
                raise PatchError("a JSON 6902 patch needs a target")
            for n, doc in enumerate(docs):
                if kind == "patchesJson6902" and not isinstance(doc, list):
                    raise PatchError("patchesJson6902 takes a list of JSON 6902 operations, not an object")
                if isinstance(doc, list):
                    if not isinstance(target, dict):
                        raise PatchError("a JSON 6902 patch needs a target")
                    on_values = any(_on_values(op.get("path")) for op in doc if isinstance(op, dict))
                    for r in [r for r in res if selects(target, r.obj, r.names(), r.namespaces())]:
                        r.store_previous_id()
                        before, hosts = _depends_on(r.obj), host_fields(r.obj)
                        values = _values_copy(r.obj) if on_values else None
                        r.obj = apply_json6902(r.own(), doc, self.growth)
                        self._note_depends_on(r, before, lambda dep: field_at(n, (_json_op_index(doc, dep),)))
                        _note_hosts(r, hosts, lambda value: field_at(n, _json_op_writing(doc, value)))
                        _note_values(r, values, lambda path: field_at(n, (_json_op_on_values(doc, path),)))
                elif isinstance(doc, dict):
                    _require_patch_identity(doc)
                    if isinstance(target, dict):
                        chosen = [r for r in res if selects(target, r.obj, r.names(), r.namespaces())]
                    else:
                        try:
                            chosen = [_by_id(res, doc)]
                        except _NoTarget as err:
                            if not self.partial:
                                raise
                            self.diagnostics.append(_limit(pfile, pline, f"patch: {err}; it may come from a "
                                                                         "remote resource: not applied",
                                                           "FW-KUSTOMIZE-REMOTE"))
                            continue
                    on_values = isinstance(doc.get("spec"), dict) and "values" in doc["spec"]
                    renamed, rekinded = _allowed_changes(entry, doc)
                    for r in chosen:
                        before, hosts = _depends_on(r.obj), host_fields(r.obj)
                        values = _values_copy(r.obj) if on_values else None
                        if renamed is not None and renamed != r.name:
                            r.store_previous_id()
                        if apply_strategic(r.own(), doc) is None:
                            res.remove(r)
                        else:
                            if renamed is not None:
                                r.obj["metadata"]["name"] = renamed
                            if rekinded is not None:
                                r.obj["kind"] = rekinded
                            self._note_depends_on(r, before, lambda dep: field_at(n, _entry_path(doc, dep)))
                            _note_hosts(r, hosts, lambda value: field_at(n, _value_path(doc, value) or ()))
                            _note_values(r, values, lambda path: field_at(n, ("spec", "values", *path)))
                else:
                    raise PatchError("patch must be a mapping or a JSON 6902 list")
        except PatchError as err:
            raise InputError(pfile, pline, f"patch: {err}", code=err.code, cls=problem_class(err.code)) from None

    def _note_depends_on(self, r: WorkRes, before: list[DependsOnKey] | None,
                         written_at: Callable[[DependsOnKey], FieldAt]) -> None:
        """Field-level provenance of a Flux Kustomization's ``spec.dependsOn``, once a patch changed it: each
        entry the patch added points at the patch, the others at where they were written before."""
        after = _depends_on(r.obj)
        if before is None or after == before:
            return
        at = dict(r.depends_on_at or {})
        for i, dep in enumerate(before):
            if dep not in at:
                at[dep] = FieldAt(r.file, field_line(self.repo.read_text(r.file), r.line, ("spec", "dependsOn", i))
                                  if self.repo.is_file(r.file) else r.line)
        r.depends_on_at = {dep: at[dep] if dep in before else written_at(dep) for dep in after or []}

    def replace(self, k: _Kustomization, entry: Any, res: list[WorkRes], key: str = "replacements") -> None:
        from .replace import ReplacementError, SourceNotFound, apply_replacement  # loads with the first replacement

        line = self.entry_line(k, None, key)
        entries = [entry]
        where = k.file
        if isinstance(entry, dict) and entry.get("path"):
            if entry.get("source") or entry.get("targets"):
                raise InputError(k.file, line, "replacement: cannot specify both path and inline replacement", code="FW-KUSTOMIZE-INVALID")
            if is_remote(str(entry["path"])):
                self.note_remote(k, str(entry["path"]), key)
                return
            resolved = self._resolve(k, str(entry["path"]), key)
            if resolved is None:
                return
            rel, line = resolved
            self.files.add(rel)
            entries, where = [], rel
            for doc in self.repo.documents(rel):
                self.note_duplicates(doc)
                items = doc.data if isinstance(doc.data, list) else [doc.data]
                for i, item in enumerate(items):
                    bad = problems(item, REPLACEMENT, (i,) if isinstance(doc.data, list) else ())
                    if bad:
                        at = field_line(self.repo.read_text(rel), doc.line, bad[0].path)
                        raise InputError(rel, at, f"invalid replacement: {bad[0]} (kustomize refuses it)", code="FW-KUSTOMIZE-INVALID")
                entries.extend(items)
        for rep in entries:
            if not isinstance(rep, dict):
                raise InputError(where, line, "replacement must be a mapping", code="FW-KUSTOMIZE-INVALID")
            try:
                apply_replacement(res, rep, self.growth)
            except SourceNotFound as err:
                if not self.partial:
                    raise InputError(where, line, str(err), code=err.code, cls=problem_class(err.code)) from None
                self.diagnostics.append(_limit(where, line, f"{err}; it may come from a remote resource: not "
                                                            "applied", "FW-KUSTOMIZE-REMOTE"))
            except ReplacementError as err:
                raise InputError(where, line, str(err), code=err.code, cls=problem_class(err.code)) from None

    # -- transformers:, generators:, validators: ---------------------------
    def run_plugins(self, k: _Kustomization, acc: _Accumulation, key: str) -> None:
        """Load the plugin configs of ``key`` (inline ones first, then files and folders, as kustomize does)
        and run each."""
        entries = _as_list(k.data.get(key), k, key)
        if not entries:
            return
        configs: list[WorkRes] = []
        paths: list[str] = []
        for entry in entries:
            if not isinstance(entry, str):
                raise InputError(k.file, self.entry_line(k, None, key), f"{key} entry {entry!r} is not a string", code="FW-KUSTOMIZE-INVALID")
            inline = _inline_configs(entry, k.file)
            if inline is None:
                paths.append(entry)
            else:
                line = self.entry_line(k, None, key)
                configs += [WorkRes(obj, k.file, line) for obj in inline]
        for entry in paths:
            loaded = _Accumulation([], NO_CONFIG)
            self.add_resource(k, entry, loaded, key)
            configs += loaded.res
        role = key[:-1]
        for cfg in configs:
            self.run_plugin(k, acc, cfg, role)

    def run_plugin(self, k: _Kustomization, acc: _Accumulation, cfg: WorkRes, role: str) -> None:
        where = (cfg.file, cfg.line)
        obj = cfg.obj
        try:
            kind = plugin_kind(obj, role)
            if role == "validator" or kind not in SIMULATED:
                what = "validator" if role == "validator" else "built-in plugin"
                effect = "its checks are not run" if role == "validator" else \
                    f"what it {'generates' if role == 'generator' else 'changes'} is not shown"
                self.diagnostics.append(_limit(*where, f"kustomize {what} {kind} is not simulated: {effect}",
                                               "FW-KUSTOMIZE-UNSUPPORTED"))
                return
            with self.transforming(k, f"{role}s", where):
                self._run_builtin(k, acc, kind, obj, cfg)
        except PluginError as err:
            raise InputError(*where, str(err), code=err.code) from None

    def _run_builtin(self, k: _Kustomization, acc: _Accumulation, kind: str, obj: dict[str, Any],
                     cfg: WorkRes) -> None:
        res = acc.res
        md = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        if kind in ("ConfigMapGenerator", "SecretGenerator"):
            by = {"apiVersion": BUILTIN, "kind": kind, **{key: str(md[key]) for key in ("name", "namespace")
                                                              if md.get(key)}}
            self.generate_into(k, kind[:-len("Generator")], generator_entry(obj), None, cfg.file, cfg.line, res, by)
        elif kind == "PatchTransformer":
            if bool(obj.get("patch")) == bool(obj.get("path")):
                raise PluginError(f"plugin {kind} fails configuration: "
                                  + ("patch and path can't be set at the same time" if obj.get("patch")
                                     else "must specify one of patch and path"), "FW-KUSTOMIZE-INVALID")
            self.patch(k, {key: obj[key] for key in ("path", "patch", "target") if obj.get(key)}, res, "transformers",
                       kind="patches")
        elif kind == "PatchStrategicMergeTransformer":
            if not obj.get("paths") and not obj.get("patches"):
                raise PluginError(f"plugin {kind} fails configuration: empty file path and empty patch content",
                                  "FW-KUSTOMIZE-INVALID")
            for path in obj.get("paths") or []:
                self.patch(k, {"path": path}, res, "transformers", kind="patchesStrategicMerge")
            if obj.get("patches"):
                self.patch(k, {"patch": obj["patches"]}, res, "transformers", kind="patchesStrategicMerge")
        elif kind == "PatchJson6902Transformer":
            if not isinstance(obj.get("target"), dict) or bool(obj.get("path")) == bool(obj.get("jsonOp")):
                raise PluginError(f"plugin {kind} fails configuration: it needs a target and one of path and "
                                  "jsonOp", "FW-KUSTOMIZE-INVALID")
            body = {"path": obj["path"]} if obj.get("path") else {"patch": obj["jsonOp"]}
            self.patch(k, {**body, "target": obj["target"]}, res, "transformers", kind="patchesJson6902")
        elif kind == "NamespaceTransformer":
            mode = obj.get("setRoleBindingSubjects") or "defaultOnly"
            if mode not in ROLE_BINDING_SUBJECTS:
                raise PluginError(f"plugin {kind} fails configuration: invalid value '{mode}' for "
                                  f"setRoleBindingSubjects: must be one of {', '.join(ROLE_BINDING_SUBJECTS)}",
                                  "FW-KUSTOMIZE-INVALID")
            set_namespace(res, str(md.get("namespace") or ""), field_specs(obj),
                          unset_only=bool(obj.get("unsetOnly")), subjects=mode)
        elif kind in ("PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer"):
            specs = field_specs(obj, required=True)
            if obj.get("prefix"):
                add_affix(res, str(obj["prefix"]), specs)
            if obj.get("suffix"):
                add_affix(res, str(obj["suffix"]), specs, suffix=True)
        elif kind in ("LabelTransformer", "AnnotationsTransformer"):
            what = "labels" if kind == "LabelTransformer" else "annotations"
            set_entries(res, obj.get(what), field_specs(obj), what)
        elif kind == "ImageTagTransformer":
            set_images(res, [dict(obj.get("imageTag") or {})], field_specs(obj))
        elif kind == "ReplicaCountTransformer":
            set_replicas(res, dict(obj.get("replica") or {}), field_specs(obj))
        elif kind == "ReplacementTransformer":
            for item in obj.get("replacements") or []:
                self.replace(k, item, res, "transformers")

    # -- top ---------------------------------------------------------------
    def build_metadata(self, k: _Kustomization, res: list[WorkRes]) -> None:
        """What kustomize's Kustomizer does last: the top kustomization's ``buildMetadata`` (the only one that
        counts: kustomize gives every kustomization below it the top one's), then its build annotations and
        the origin/transformation annotations it was not asked for removed, then empty annotations dropped."""
        options = {str(o) for o in _as_list(k.data.get("buildMetadata"), k, "buildMetadata")}
        line = self.entry_line(k, None, "buildMetadata")
        if "transformerAnnotations" in options:
            self.diagnostics.append(_limit(k.file, line, "kustomize 'buildMetadata: [transformerAnnotations]' is not "
                                                         f"simulated: the {TRANSFORMATIONS_ANNOTATION} annotations "
                                                         "are not shown", "FW-KUSTOMIZE-UNSUPPORTED"))
        if "managedByLabel" in options:
            self.diagnostics.append(Diagnostic(
                k.file, line, f"buildMetadata managedByLabel: kustomize-controller labels every object "
                              f"{MANAGED_BY_LABEL}: {MANAGED_BY_VALUE}, a label value the API server refuses, so the "
                              "apply fails (fluxcd/kustomize-controller#960); remove managedByLabel",
                code="FW-KUSTOMIZE-MANAGED-BY"))
        for r in res:
            annotations = r.meta.get("annotations")
            if isinstance(annotations, dict):
                for key in [key for key in annotations if key in _BUILD_ANNOTATIONS or (
                        key == ORIGIN_ANNOTATION and "originAnnotations" not in options) or (
                        key == TRANSFORMATIONS_ANNOTATION and "transformerAnnotations" not in options)]:
                    del annotations[key]
            if "originAnnotations" in options and r.origin is not None:
                r.meta["annotations"] = {**(r.meta.get("annotations") or {}),
                                         ORIGIN_ANNOTATION: _origin_text(r.origin, k.dir)}
            if "managedByLabel" in options:
                r.meta["labels"] = {**(r.meta.get("labels") or {}), MANAGED_BY_LABEL: MANAGED_BY_VALUE}
            if "annotations" in r.meta and r.meta["annotations"] in (None, {}):
                del r.meta["annotations"]  # kustomize writes its output without an empty annotations map

    def finish(self, k: _Kustomization, acc: _Accumulation, sort: bool = True) -> BuildResult:
        res = acc.res
        for r in res:
            if r.needs_hash:
                from .generate import name_hash

                r.store_previous_id()
                r.meta["name"] = f"{r.name}-{name_hash(r.obj)}"
        try:
            fix_back_references(res, acc.config)
        except FieldSpecError as err:
            raise InputError(k.file, k.line, f"name references: {err}", code="FW-KUSTOMIZE-INVALID") from None
        res = [r for r in res if not _local_config(r)]
        self.build_metadata(k, res)
        if sort:
            res = sorted(res, key=legacy_order_key)
        return BuildResult(
            resources=[Resource(r.obj, r.file, r.line, r.encrypted, depends_on_at=r.depends_on_at,
                                patched_hosts=r.patched_hosts, values_at=r.values_at) for r in res],
            files=sorted(self.files),
            remote=self.remote,
            helm_charts=self.helm_charts,
            diagnostics=self.diagnostics,
            remote_bases=self.remote_bases,
        )


def _depends_on(obj: dict[str, Any]) -> list[DependsOnKey] | None:
    """The entries of a Flux Kustomization's ``spec.dependsOn`` (None: not a Flux Kustomization)."""
    if obj.get("kind") != "Kustomization" or group_of(obj) != "kustomize.toolkit.fluxcd.io":
        return None
    spec = obj.get("spec")
    deps = spec.get("dependsOn") if isinstance(spec, dict) else None
    return [(str(e["name"]), str(e.get("namespace") or "")) for e in deps if isinstance(e, dict) and e.get("name")] \
        if isinstance(deps, list) else []


def _note_hosts(r: WorkRes, before: dict[tuple[str | int, ...], str], written_at: Callable[[str], FieldAt]) -> None:
    """Field-level provenance of an object's host fields: each one a patch set or changed points at the line of
    the patch that wrote its value."""
    changed = {path: value for path, value in host_fields(r.obj).items() if before.get(path) != value}
    if changed:
        r.patched_hosts = {**(r.patched_hosts or {}), **{path: written_at(v) for path, v in changed.items()}}


def _value_path(data: Any, value: str, path: tuple[str | int, ...] = (), depth: int = 0
                ) -> tuple[str | int, ...] | None:
    """The path of the first string ``value`` in a patch document (None when it is not there)."""
    if data == value:
        return path
    if depth > 32:
        return None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, item in items:
        found = _value_path(item, value, (*path, key), depth + 1)
        if found is not None:
            return found
    return None


def _json_op_writing(ops: list[Any], value: str) -> tuple[str | int, ...]:
    """Where in a JSON 6902 patch ``value`` is written: in the last operation whose value holds it (the first
    operation when none does)."""
    for i in reversed(range(len(ops))):
        if isinstance(ops[i], dict):
            inner = _value_path(ops[i].get("value"), value)
            if inner is not None:
                return (i, "value", *inner)
    return (0,)


_MAX_NOTED_VALUES = 1000  # changed values leaves whose patch is recorded, per patch and object


def _on_values(path: Any) -> bool:
    """Whether a JSON 6902 operation's path may change a HelmRelease's ``spec.values``."""
    return isinstance(path, str) and (path in ("", "/", "/spec") or path == "/spec/values"
                                      or path.startswith("/spec/values/"))


def _values_copy(obj: dict[str, Any]) -> Any:
    """A copy of a HelmRelease's ``spec.values`` before a patch (None for any other object)."""
    if obj.get("kind") != "HelmRelease" or group_of(obj) != "helm.toolkit.fluxcd.io":
        return None
    spec = obj.get("spec")
    return copy_data(spec.get("values", {})) if isinstance(spec, dict) else {}


def _leaves(value: Any, path: ValuesPath = ()) -> Iterator[tuple[ValuesPath, Any]]:
    """The scalar (or empty) leaves of a values tree, with their paths."""
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from _leaves(v, (*path, str(k)))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


def _note_values(r: WorkRes, before: Any, written_at: Callable[[ValuesPath], FieldAt]) -> None:
    """Field-level provenance of a HelmRelease's ``spec.values``: each leaf the patch changed points at the patch
    (``before`` is None when the patch cannot have changed them)."""
    spec = r.obj.get("spec")
    after = spec.get("values") if isinstance(spec, dict) else None
    if before is None or before == after:
        return
    at = dict(r.values_at or {})
    for n, (path, value) in enumerate(_leaves(after)):
        if n >= _MAX_NOTED_VALUES:
            break
        if value_at(before, path) != (True, value):
            at[path] = written_at(path)
    r.values_at = at or None


def _json_op_on_values(ops: list[Any], path: ValuesPath) -> int:
    """The last JSON 6902 operation whose path holds values leaf ``path`` (0 when none names it)."""
    leaf = ["spec", "values", *(str(p) for p in path)]
    found = 0
    for i, op in enumerate(ops):
        try:
            parts = pointer_parts(str(op.get("path") or "")) if isinstance(op, dict) else None
        except PatchError:
            continue
        if parts is not None and parts != [""] and leaf[:len(parts)] == parts:
            found = i
    return found


def _entry_path(patch: dict[str, Any], dep: DependsOnKey) -> tuple[str | int, ...]:
    """The path of entry ``dep`` in a strategic-merge patch's ``spec.dependsOn`` (the list itself if not there)."""
    spec = patch.get("spec")
    deps = spec.get("dependsOn") if isinstance(spec, dict) else None
    for i, e in enumerate(deps if isinstance(deps, list) else []):
        if isinstance(e, dict) and (str(e.get("name")), str(e.get("namespace") or "")) == dep:
            return ("spec", "dependsOn", i)
    return ("spec", "dependsOn")


def _json_op_index(ops: list[Any], dep: DependsOnKey) -> int:
    """The JSON 6902 operation that wrote entry ``dep`` of ``spec.dependsOn``: the last one on that path whose
    value holds it, else the last one on that path."""
    on_path = [i for i, op in enumerate(ops) if isinstance(op, dict)
               and (str(op.get("path") or "") == "/spec" or str(op.get("path") or "").startswith("/spec/dependsOn"))]
    holds = [i for i in on_path if dep in (_depends_on({"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                                                         "kind": "Kustomization", "spec": _as_spec(ops[i])}) or [])]
    return (holds or on_path or [0])[-1]


def _as_spec(op: dict[str, Any]) -> dict[str, Any]:
    """An operation's value as the spec it would make (a dependsOn entry, the list, or the whole spec)."""
    path, value = str(op.get("path") or ""), op.get("value")
    if path.startswith("/spec/dependsOn/"):
        return {"dependsOn": [value]}
    if path == "/spec/dependsOn":
        return {"dependsOn": value}
    return value if path == "/spec" and isinstance(value, dict) else {}


def _local_config(r: WorkRes) -> bool:
    """kustomize drops an object annotated ``config.kubernetes.io/local-config`` (any value but "false") from
    its output, after it served as a replacement source or name reference."""
    annotations = r.meta.get("annotations")
    return isinstance(annotations, dict) and LOCAL_CONFIG_ANNOTATION in annotations \
        and str(annotations[LOCAL_CONFIG_ANNOTATION]) != "false"


def _origin_text(origin: dict[str, Any], top: str) -> str:
    """kustomize's Origin.String(): its fields as YAML, paths relative to the top kustomization's folder."""
    out: dict[str, Any] = {}
    for key in ("path", "configuredIn"):
        if origin.get(key):
            out[key] = posixpath.relpath(origin[key], top)
    if origin.get("configuredBy"):
        out["configuredBy"] = origin["configuredBy"]
    return yaml.safe_dump(out, sort_keys=False, default_flow_style=False)


def _as_list(value: Any, k: _Kustomization, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(k.file, k.line, f"'{key}' must be a list", code="FW-KUSTOMIZE-INVALID")
    return value


def _label_specs(entry: dict[str, Any], config: TransformerConfig) -> list[FieldSpec]:
    """Where a ``labels:`` entry writes: its own ``fields``, then kustomize's label specs (selectors too, or
    templates too, or the metadata only)."""
    specs = [spec_of(s) for s in entry.get("fields") or [] if isinstance(s, dict)]
    if entry.get("includeSelectors"):
        return merge_specs(specs, config["commonLabels"])
    if entry.get("includeTemplates"):
        specs = merge_specs(specs, config["templateLabels"])
    return merge_specs(specs, [FieldSpec(Gvk(), "metadata/labels", True)])


def _inline_configs(entry: str, file: str) -> list[dict[str, Any]] | None:
    """The plugin configs written inline in a ``transformers:``-like entry; None when the entry is a path."""
    if "\n" not in entry.strip() and not entry.lstrip().startswith("{"):
        return None
    try:
        docs = parse_documents(entry, file)
    except InputError:
        return None
    if docs and all(isinstance(d.data, dict) and d.data.get("kind") for d in docs):
        return [d.data for d in docs]
    return None


def _looks_like_path(entry: Any) -> bool:
    return isinstance(entry, str) and "\n" not in entry and not entry.lstrip().startswith(("{", "apiVersion"))


def _redact(obj: dict[str, Any]) -> None:
    """SOPS documents keep their shape, never their payload. A document encrypted whole (``sops --encrypt``
    without ``--encrypted-regex``) has ciphertext for its apiVersion, kind and name too: kustomize builds it as
    it is and kustomize-controller decrypts it after the build, so what it is stays unknown here; it is named
    ``SOPS_ENCRYPTED_KIND`` ``encrypted-<digest of its name's ciphertext>`` (unique in a build, as kustomize
    sees it) without a namespace."""
    obj.pop("sops", None)
    md = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    if any(is_ciphertext(v) for v in (obj.get("apiVersion"), obj.get("kind"), md.get("name"))):
        import hashlib  # OpenSSL's, loaded by the first document SOPS encrypted whole (startup budget)

        digest = hashlib.sha256(str(md.get("name")).encode()).hexdigest()[:10]
        obj["apiVersion"], obj["kind"] = SOPS_ENCRYPTED_API_VERSION, SOPS_ENCRYPTED_KIND
        obj["metadata"] = md = {**md, "name": f"encrypted-{digest}"}
    if is_ciphertext(md.get("namespace")):
        md.pop("namespace")
    for key in ("labels", "annotations"):
        if isinstance(md.get(key), dict):
            md[key] = {k: "" if is_ciphertext(v) else v for k, v in md[key].items()}
    for key in ("data", "stringData"):
        if isinstance(obj.get(key), dict):
            obj[key] = {k: "" for k in obj[key]}


def _append(res: list[WorkRes], new: list[WorkRes], ids: set[tuple[str, str, str, str]] | None = None) -> None:
    """Add ``new`` to ``res``; a repeated id fails as in kustomize. ``ids``, the ids of ``res``, is kept (and
    updated) by a caller that appends many times with nothing renamed in between: each append is not a scan."""
    if ids is None:
        ids = {r.cur_id() for r in res}
    for r in new:
        rid = r.cur_id()
        if rid in ids:
            raise InputError(r.file, r.line, f"duplicate object {r.kind} "
                             f"{rid[2] + '/' if rid[2] else ''}{rid[3]}: may not add a resource with an "
                             "already registered id", code="FW-KUSTOMIZE-DUPLICATE")
        ids.add(rid)
        res.append(r)


_SHORT_BOOLEANS = {"y": True, "Y": True, "n": False, "N": False}


_DEPRECATED_FIELDS = {"imageTags": "images", "helmChartInflationGenerator": "helmCharts"}
_KUSTOMIZATION_FIELDS = {**KUSTOMIZATION_FILE, **{name: ANY for name in (*_DEPRECATED_FIELDS, "inventory")}}


def _go_fields(data: dict[Any, Any]) -> tuple[dict[str, Any], list[tuple[str | int, ...]]]:
    """The fields of a kustomization file as kustomize decodes them, and the paths of the keys it knows no field for.

    kustomize turns the YAML into JSON (keys sorted) and decodes that with encoding/json, which matches a key
    to a struct field exactly or else case-insensitively, a later key overwriting an earlier one:
    ``configMapgenerator`` is ``configMapGenerator``, ``disableNameSuffixhash`` is ``disableNameSuffixHash``
    (keys of free-form maps such as labels stay as written). The deprecated ``imageTags`` and
    ``helmChartInflationGenerator`` are added to ``images`` and ``helmCharts`` (kustomize's FixKustomization)."""
    unknown: list[tuple[str | int, ...]] = []
    out = _go_fold(data, _KUSTOMIZATION_FIELDS, unknown, ())
    for old, new in _DEPRECATED_FIELDS.items():
        if old in out:
            value = out.pop(old)
            if isinstance(value, list) and isinstance(out.get(new, []), list):
                out[new] = [*(out.get(new) or []), *value]
    return out, unknown


def _go_key(key: str) -> str:
    """A field name folded as Go's encoding/json folds it to match a struct field: ASCII case, and the two
    non-ASCII letters whose simple case folding reaches an ASCII one (KELVIN SIGN, LONG S)."""
    return key.replace("\u212a", "k").replace("\u017f", "s").lower()


def _go_fold(value: Any, shape: Any, unknown: list[tuple[str | int, ...]], path: tuple[str | int, ...]) -> Any:
    """``value`` with the keys of every struct its ``shape`` declares renamed to their fields (see
    :func:`_go_fields`); keys that match no field are kept, and their paths added to ``unknown``. The recursion
    follows the shape, so it is as deep as the shape is, whatever the value holds."""
    if isinstance(shape, dict) and isinstance(value, dict):
        fields = field_shapes(shape)
        if all(isinstance(k, str) and k in fields and not _needs_fold(value[k], fields[k]) for k in value):
            return value
        folded = {_go_key(name): name for name in fields}
        out: dict[str, Any] = {}
        for key in sorted(value, key=str):
            name = str(key)
            field = name if name in fields else folded.get(_go_key(name))
            if field is None:
                unknown.append((*path, name))
                out[name] = value[key]
            else:
                out[field] = _go_fold(value[key], fields[field], unknown, (*path, field))
        order = [f for f in ((str(k) if str(k) in fields else folded.get(_go_key(str(k)), str(k))) for k in value)]
        return {k: out[k] for k in dict.fromkeys(order) if k in out}
    if isinstance(shape, tuple) and shape[0] == "list" and isinstance(value, list):
        return [_go_fold(item, shape[1], unknown, (*path, i)) for i, item in enumerate(value)] \
            if any(_needs_fold(i, shape[1]) for i in value) else value
    if isinstance(shape, tuple) and shape[0] == "map" and isinstance(value, dict) and isinstance(shape[1], dict):
        return {k: _go_fold(v, shape[1], unknown, (*path, str(k))) for k, v in value.items()}
    return value


def _needs_fold(value: Any, shape: Any) -> bool:
    """Does ``value`` hold a struct key not spelled as its field?"""
    if isinstance(shape, dict) and isinstance(value, dict):
        fields = field_shapes(shape)
        return any(not isinstance(k, str) or k not in fields or _needs_fold(v, fields[k]) for k, v in value.items())
    if isinstance(shape, tuple) and shape[0] == "list" and isinstance(value, list):
        return any(_needs_fold(item, shape[1]) for item in value)
    if isinstance(shape, tuple) and shape[0] == "map" and isinstance(value, dict) and isinstance(shape[1], dict):
        return any(_needs_fold(v, shape[1]) for v in value.values())
    return False


def _has_short_boolean(value: Any) -> bool:
    """Whether a value below ``value`` is one of YAML 1.1's short booleans (y, Y, n, N) as a string; each
    container looked at once (an alias may share one)."""
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item in _SHORT_BOOLEANS:
                return True
        elif isinstance(item, (dict, list)) and id(item) not in seen:
            seen.add(id(item))
            stack += item.values() if isinstance(item, dict) else item
    return False


def _read_short_booleans(data: dict[str, Any], text: str) -> None:
    """Read the unquoted y/Y/n/N values of a kustomization file (its first document) as booleans, in place, as
    kustomize reads its own files (sigs.k8s.io/yaml, go-yaml v2's YAML 1.1): ``resources: [y]`` then fails its
    check as kustomize fails it, and ``disableNameSuffixHash: y`` is true. PyYAML reads them as strings; the
    file is composed again only when such a string is in it. Each node is visited once (aliases share nodes)."""
    try:
        root = next(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), None)
    except yaml.YAMLError:
        return
    stack: list[tuple[yaml.Node, Any, Any]] = [(root, None, None)] if root is not None else []
    seen: set[int] = set()
    while stack:
        node, parent, key = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            plain = not node.style  # libyaml gives a plain scalar the style "", PyYAML None
            if plain and node.value in _SHORT_BOOLEANS and parent is not None and parent[key] == node.value:
                parent[key] = _SHORT_BOOLEANS[node.value]
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        here = data if parent is None else parent[key]
        if isinstance(node, yaml.MappingNode) and isinstance(here, dict):
            stack += [(v, here, k.value) for k, v in node.value
                      if isinstance(k, yaml.ScalarNode) and k.value in here]
        elif isinstance(node, yaml.SequenceNode) and isinstance(here, list) and len(node.value) == len(here):
            stack += [(v, here, i) for i, v in enumerate(node.value)]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_float(text: str) -> float | int:
    """A JSON number with a fraction or exponent as Go holds it (float64) and kustomize writes it back: ``1e3`` is
    1000, ``1.50`` is 1.5."""
    number = float(text)
    return int(number) if number.is_integer() else number


def _json_patch(text: str, file: str, line: int) -> Any:
    """A patch that starts with ``[`` as kustomize reads it: strict JSON, never YAML (PatchTransformer's and
    PatchJson6902Transformer's jsonPatchFromBytes), so a YAML flow list such as ``[{op: add, ...}]`` fails there
    as it fails Flux's build."""
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_json_float)
    except ValueError as err:
        raise InputError(file, line, f"unable to parse SM or JSON patch: it starts with '[', so kustomize reads it "
                                     f"as JSON, and it is not JSON ({err})", code="FW-KUSTOMIZE-PATCH",
                         cls=problem_class("FW-KUSTOMIZE-PATCH")) from None


_KUSTOMIZATION_VERSIONS = {"Kustomization": "kustomize.config.k8s.io/v1beta1",
                           "Component": "kustomize.config.k8s.io/v1alpha1"}


def _refuse_empty(docs: list[Any], kind: str, file: str, line: int, what: str, *, empty: bool = False) -> None:
    """kustomize refuses a patch that holds nothing (no document, only comments or ``---``, or ``[]``):
    PatchTransformer because it then reads as both a strategic-merge and a JSON 6902 patch, the legacy
    transformers because the patch "appears to be empty"; an empty file with no target reads as a JSON 6902
    patch without one."""
    if any(d is not None and d != [] for d in docs):
        return
    if kind == "patches" and empty:
        why = "kustomize reads an empty file as a JSON 6902 patch, which needs a target"
    elif kind == "patches":
        why = "kustomize refuses it: it qualifies as both a strategic-merge and a JSON 6902 patch"
    else:
        why = "kustomize refuses it: the patch appears to be empty"
    shape = "is empty" if empty else "holds no patch (only comments, '---' or an empty list)"
    raise InputError(file, line, f"{kind}: {what} {shape}; {why}", code="FW-KUSTOMIZE-PATCH",
                     cls=problem_class("FW-KUSTOMIZE-PATCH"))


def _require_patch_identity(doc: dict[str, Any]) -> None:
    """kustomize reads a strategic-merge patch as a resource, so it needs a kind and a metadata.name even when a
    ``target`` picks what it patches: without them PatchTransformer fails ("unable to parse SM or JSON patch") and
    so does the Kustomization's build."""
    md = doc.get("metadata")
    name = md.get("name") if isinstance(md, dict) else None
    missing = [field for field, value in (("kind", doc.get("kind")), ("metadata.name", name))
               if value is None or value == "" or isinstance(value, (dict, list))]
    if missing:
        raise PatchError(f"unable to parse SM or JSON patch: a strategic-merge patch needs {' and '.join(missing)} "
                         "(kustomize reads it as an object; with a target, any name will do)")


def _allowed_changes(entry: dict[str, Any], patch: dict[str, Any]) -> tuple[str | None, str | None]:
    """The name and kind a strategic-merge patch gives the objects it patches: kustomize's PatchTransformer keeps
    each object's own unless the entry's ``options`` allow the change (``allowNameChange``, ``allowKindChange``)."""
    options = entry.get("options") if isinstance(entry.get("options"), dict) else {}
    md = patch.get("metadata") if isinstance(patch.get("metadata"), dict) else {}
    name, kind = md.get("name"), patch.get("kind")
    return (name if options.get("allowNameChange") is True and isinstance(name, str) and name else None,
            kind if options.get("allowKindChange") is True and isinstance(kind, str) and kind else None)


class _NoTarget(PatchError):
    """A target-less strategic-merge patch whose object is not in the build."""


def _by_id(res: list[WorkRes], patch: dict[str, Any]) -> WorkRes:
    """The single resource a target-less strategic-merge patch names (any current or earlier id). Its apiVersion
    counts whole, version included: kustomize looks the patch's id up (ResId.Equals compares group, version and
    kind), so a patch written for HelmRelease v2beta1 matches no HelmRelease v2."""
    md = patch.get("metadata") or {}
    name = md.get("name")
    kind = patch.get("kind")
    group = group_of(patch)
    found, other_version = [], []
    for r in res:
        if r.kind != kind or group_of(r.obj) != group or name not in r.names():
            continue
        want = effective_ns(r, str(md.get("namespace") or ""))
        if want in {effective_ns(r, ns) for ns in r.namespaces()}:
            (found if version_of(r.obj) == version_of(patch) else other_version).append(r)
    if len(found) != 1:
        where = f"{md.get('namespace')}/" if md.get("namespace") else ""
        but = (f" (the {kind} {name} of the build is {other_version[0].obj.get('apiVersion')}, the patch "
               f"{patch.get('apiVersion') or 'has no apiVersion'}: without a target, the versions must match)"
               if other_version and not found else "")
        raise (_NoTarget if not found else PatchError)(f"{'no' if not found else 'more than one'} resource "
                                                       f"matches {kind} {where}{name}{but}")
    return found[0]


# -- public API ----------------------------------------------------------------

def _norm(path: str) -> str:
    p = os.path.normpath(path.strip() or ".").replace(os.sep, "/").lstrip("/")
    return p or "."


def build_kustomize_dir(repo: Repo, path: str) -> BuildResult:
    """Plain kustomize build of a folder that has a kustomization file (what `kubectl kustomize` does)."""
    b = _Builder(repo)
    rel = repo.resolve(".", _norm(path), referrer=path)
    kfile = b.find_kfile(rel) if repo.is_dir(rel) else None
    if kfile is None:
        raise InputError(rel, 1, f"no kustomization file in '{rel}'", code="FW-KUSTOMIZE-MISSING")
    k = b.load_kfile(kfile)
    return b.finish(k, b.run(k, top=True), sort=_sort_legacy(k))


def _sort_legacy(k: _Kustomization) -> bool:
    opts = k.data.get("sortOptions")
    return not (isinstance(opts, dict) and opts.get("order") == "fifo")


def generated_kustomization(repo: Repo, rel: str) -> dict[str, Any]:
    """The kustomization kustomize-controller writes into a folder that has none.

    Raises :class:`InputError` for a YAML file that is not Kubernetes YAML.
    """
    b = _Builder(repo)
    resources: list[str] = []
    below = 0 if rel in ("", ".") else len(rel) + 1  # the walk names each path below rel as rel/...

    for child, is_dir in repo.walk(rel, descend=lambda folder: b.find_kfile(folder) is None):
        if is_dir:
            if b.find_kfile(child):
                resources.append("./" + child[below:])
        elif child.endswith((".yaml", ".yml")):
            for doc in repo.documents(child, copy=False):
                doc.require_unique_keys()
                data = doc.data
                if not isinstance(data, dict) or not data.get("kind") or not data.get("apiVersion"):
                    raise InputError(child, doc.line, "failed to decode Kubernetes YAML: "
                                     "apiVersion and kind are required", code="FW-MANIFEST-INVALID")
            resources.append("./" + child[below:])
    return {"apiVersion": f"{KUSTOMIZE_API}/v1beta1", "kind": "Kustomization", "resources": resources}


class SpecPatch(dict):  # type: ignore[type-arg]
    """An entry of the Flux Kustomization's ``spec.patches`` merged into the folder's kustomization: a build error
    on it names that entry (``InputError.spec_field``), not the kustomization file."""

    def __init__(self, patch: dict[str, Any], index: int):
        super().__init__(patch)
        self.index = index


def merge_overrides(data: dict[str, Any], overrides: FluxOverrides, *, marked: bool = False) -> dict[str, Any]:
    """Merge a Flux Kustomization's fields into a kustomization (a new dict), as the generator does; ``marked``:
    its patches as :class:`SpecPatch` (plain mappings otherwise, e.g. to be written out as YAML)."""
    data = dict(data)
    if overrides.target_namespace:
        data["namespace"] = overrides.target_namespace
    if overrides.name_prefix:
        data["namePrefix"] = overrides.name_prefix
    if overrides.name_suffix:
        data["nameSuffix"] = overrides.name_suffix
    if overrides.patches:
        data["patches"] = list(data.get("patches") or []) + [SpecPatch(p, i) if marked else dict(p)
                                                              for i, p in enumerate(overrides.patches)]
    if overrides.components:
        data["components"] = list(data.get("components") or []) + list(overrides.components)
    if overrides.images:
        images = [dict(i) for i in data.get("images") or [] if isinstance(i, dict)]
        for img in overrides.images:
            new = {k: v for k, v in img.items() if k in ("name", "newName", "newTag", "digest") and v}
            for i, cur in enumerate(images):
                if cur.get("name") == img.get("name"):
                    images[i] = new
                    break
            else:
                images.append(new)
        data["images"] = images
    return data


def _apply_common_metadata(resources: list[Resource], meta: dict[str, Any]) -> None:
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
    for r in resources:
        md = r.obj.setdefault("metadata", {})
        if labels:
            md["labels"] = {**(md.get("labels") or {}), **labels}
        if annotations:
            md["annotations"] = {**(md.get("annotations") or {}), **annotations}


def flux_path(path: str) -> str:
    """A KS ``spec.path`` inside the artifact as kustomize-controller joins it (securejoin): `..` stops at the root."""
    joined = posixpath.normpath("/" + (path or "").strip().replace(os.sep, "/"))
    return joined.lstrip("/") or "."


def _present_components(repo: Repo, rel: str, overrides: FluxOverrides) -> FluxOverrides:
    """``overrides`` without the ``spec.components`` that are not in the artifact, when ``ignoreMissingComponents``
    is set: kustomize-controller's generator does not append those to the kustomization (fluxcd/pkg kustomize)."""
    if not overrides.ignore_missing_components or not overrides.components:
        return overrides

    def present(component: str) -> bool:
        if is_remote(component) or os.path.isabs(component):
            return True  # refused as it is, missing or not
        joined = posixpath.normpath(_join(rel, component))
        if joined == ".." or joined.startswith("../"):
            return True  # outside the artifact: the build refuses it
        return repo.entry(joined).kind in ("dir", "file") and not repo.ignored(joined, repo.is_dir(joined))

    return overrides.replace(components=[c for c in overrides.components if present(c)])


def flux_kustomization(repo: Repo, path: str, overrides: FluxOverrides | None = None) -> tuple[str, dict[str, Any]]:
    """The kustomization file kustomize-controller writes for a KS path, and its content.

    The folder's own file (or a generated one when it has none) with the KS's fields merged in:
    what `kubectl kustomize` must be given to build what Flux builds.
    """
    rel = flux_path(path)
    b = _Builder(repo)
    kfile = b.find_kfile(rel)
    if kfile is not None:
        data = b.load_kfile(kfile, flux_top=True).data
    else:
        kfile, data = _join(rel, "kustomization.yaml"), generated_kustomization(repo, rel)
    return kfile, merge_overrides(data, _present_components(repo, rel, overrides or FluxOverrides()))


def build_flux_path(repo: Repo, path: str, overrides: FluxOverrides | None = None,
                    includes: Includes = ()) -> BuildResult:
    """Build a Flux Kustomization's spec.path (repo-relative, e.g. './apps/x' or 'apps/x') as
    kustomize-controller does. Raises InputError(file, line, message) when Flux's build would fail.
    ``includes``: the folders the source's ``spec.include`` fills, whose content this repository does not hold."""
    overrides = overrides or FluxOverrides()
    rel = flux_path(path)
    found = repo.entry(rel)
    if found.kind == "refused":
        raise InputError(rel, 1, f"kustomization path '{path}': {found.reason}", code=found.code, cls=problem_class(found.code))
    if found.kind == "file" and not repo.ignored(rel):
        raise InputError(rel, 1, f"kustomization path '{path}' is a file, not a folder: kustomize-controller fails to "
                                 "write its kustomization.yaml into it (not a directory)", code="FW-KS-PATH-MISSING")
    if found.kind != "dir" or repo.ignored(rel, True):
        raise InputError(rel, 1, f"kustomization path '{path}' not found", code="FW-KS-PATH-MISSING")
    overrides = _present_components(repo, rel, overrides)
    for c in overrides.components:
        if is_remote(c) or os.path.isabs(c):
            raise InputError(rel, 1, f"component path '{c}' must be local and relative", code="FW-KUSTOMIZE-INVALID")
    b = _Builder(repo, includes)
    kfile = b.find_kfile(rel)
    if kfile is not None:
        k = b.load_kfile(kfile, flux_top=True)
    else:
        k = _Kustomization(rel, _join(rel, "kustomization.yaml"), 1, generated_kustomization(repo, rel),
                           generated=True)
    k.data = merge_overrides(k.data, overrides, marked=True)
    result = b.finish(k, b.run(k, top=True), sort=_sort_legacy(k))
    if overrides.common_metadata:
        _apply_common_metadata(result.resources, overrides.common_metadata)
    return result
