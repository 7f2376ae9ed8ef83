"""A native kustomize builder, and the way kustomize-controller drives it.

``build_kustomize_dir`` does what ``kubectl kustomize`` does for a folder;
``build_flux_path`` first does what fluxcd/pkg's kustomize generator does: use
the folder's kustomization file or generate one (every manifest below it; each
sub-folder with its own kustomization file as one resource), merge the Flux
Kustomization's own fields into it in place, and build with load restrictions
off (anywhere inside the repo, never outside).

The accumulation order follows kustomize's KustTarget: resources, generators,
components, then transformers (legacy strategic-merge patches, patches,
namespace, prefix, suffix, labels, annotations, legacy JSON 6902 patches,
replicas, images, replacements). Hash suffixes and back-references to renamed
objects are resolved once at the top, then the output is sorted in kustomize's
legacy order.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import Any

from ...load import Document, Repo, parse_documents
from ...load.yamldocs import GrowthBudget, field_line
from ...model import Diagnostic, InputError, Resource
from ...problems import problem_class
from ..objects import FluxOverrides
from ..schema import KUSTOMIZATION_FILE, REPLACEMENT, problems
from .generate import GeneratorError, generate, name_hash
from .patch import PatchError, apply_json6902, apply_strategic, group_of, selects
from .replace import ReplacementError, apply_replacement
from .transform import (WorkRes, add_annotations, add_labels, add_prefix_suffix, effective_ns, fix_back_references,
                        legacy_order_key, set_images, set_namespace, set_replicas)

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
REMOTE_PREFIXES = ("git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/",
                   "gitlab.com/", "bitbucket.org/")
KUSTOMIZE_API = "kustomize.config.k8s.io"
_NOUNS = {"resources": "resource", "components": "component", "patches": "patch", "patchesStrategicMerge": "patch",
          "patchesJson6902": "patch", "replacements": "replacement"}
_UNSUPPORTED = ("crds", "configurations", "transformers", "generators", "validators", "vars", "openapi")


@dataclass
class BuildResult:
    resources: list[Resource]
    files: list[str]
    remote: list[str]
    helm_charts: list[dict]
    diagnostics: list[Diagnostic]


def is_remote(ref: str) -> bool:
    """A resource/component reference kustomize would fetch rather than read from disk."""
    lower = ref.lower()
    return lower.startswith(REMOTE_PREFIXES) or "?ref=" in lower or "://" in lower


def _join(base: str, name: str) -> str:
    return f"{base}/{name}" if base not in ("", ".") else name


@dataclass
class _Kustomization:
    """One kustomization file's content and where it lives."""

    dir: str
    file: str
    line: int
    data: dict[str, Any]
    generated: bool = False


class _Builder:
    def __init__(self, repo: Repo):
        self.repo = repo
        self.files: set[str] = set()
        self.remote: list[str] = []
        self.helm_charts: list[dict] = []
        self.diagnostics: list[Diagnostic] = []
        self._stack: list[str] = []
        self._lines: dict[str, list[str]] = {}
        self.growth = GrowthBudget()  # what copies (JSON 6902, replacements) may add to this build

    # -- files -------------------------------------------------------------
    def entry_line(self, k: _Kustomization, value: Any, key: str | None = None) -> int:
        """Best line of a kustomization entry (the list item naming ``value``)."""
        if k.generated:
            return k.line
        lines = self._lines.get(k.file)
        if lines is None:
            lines = self._lines[k.file] = self.repo.read_text(k.file).split("\n")
        fallback = k.line
        for i, raw in enumerate(lines):
            s = raw.strip()
            if key and s.startswith(f"{key}:"):
                fallback = i + 1
            body = s[2:].strip() if s.startswith("- ") else s
            for prefix in ("path:", "name:", "patch:"):
                if body.startswith(prefix):
                    body = body[len(prefix):].strip()
            if isinstance(value, str) and body.strip("'\"") == value:
                return i + 1
        return fallback

    def find_kfile(self, rel: str) -> str | None:
        for name in KUSTOMIZATION_FILES:
            cand = _join(rel, name)
            found = self.repo.entry(cand)
            if found.kind == "refused" and not self.repo.ignored(cand):
                self.repo.note(cand, found.reason, found.code)
            elif found.kind == "file" and not self.repo.ignored(cand):
                return cand
        return None

    def load_kfile(self, kfile: str) -> _Kustomization:
        self.files.add(kfile)
        docs = self.repo.documents(kfile)
        if not docs:
            raise InputError(kfile, 1, "kustomization file is empty", code="FW-KUSTOMIZE-INVALID")
        doc = docs[0]
        if not isinstance(doc.data, dict):
            raise InputError(kfile, doc.line, "kustomization file must hold a mapping", code="FW-KUSTOMIZE-INVALID")
        self.note_duplicates(doc)
        bad = problems(doc.data, KUSTOMIZATION_FILE)
        if bad:
            line = field_line(self.repo.read_text(kfile), doc.line, bad[0].path)
            raise InputError(kfile, line, f"invalid kustomization: {bad[0]} (kustomize refuses it)",
                             code="FW-KUSTOMIZE-INVALID")
        return _Kustomization(os.path.dirname(kfile) or ".", kfile, doc.line, doc.data)

    def note_duplicates(self, doc: Document) -> None:
        """kustomize reads its own files with sigs.k8s.io/yaml: a repeated key silently keeps the last value."""
        for d in doc.duplicates:
            self.diagnostics.append(Diagnostic(doc.file, d.line, f"{d.message()}; kustomize keeps this last value",
                                               code="FW-YAML-DUPLICATE-KEY"))

    # -- resources ---------------------------------------------------------
    def run(self, k: _Kustomization, res: list[WorkRes] | None = None, component: bool = False,
            top: bool = False) -> list[WorkRes]:
        kind = k.data.get("kind") or "Kustomization"
        if component and kind != "Component":
            raise InputError(k.file, k.line, f"expected kind 'Component' in {k.file}, got '{kind}'",
                             code="FW-KUSTOMIZE-INVALID")
        if not component and kind != "Kustomization" and not (top and kind == "Component"):
            raise InputError(k.file, k.line, f"expected kind 'Kustomization' in {k.file}, got '{kind}'",
                             code="FW-KUSTOMIZE-INVALID")
        if k.dir in self._stack:
            raise InputError(k.file, k.line, f"cycle: {' -> '.join(self._stack + [k.dir])}",
                             code="FW-KUSTOMIZE-CYCLE")
        self._stack.append(k.dir)
        try:
            res = [] if res is None else res
            self.accumulate(k, res)
            return res
        finally:
            self._stack.pop()

    def accumulate(self, k: _Kustomization, res: list[WorkRes]) -> None:
        d = k.data
        for key in _UNSUPPORTED:
            if d.get(key):
                self.diagnostics.append(Diagnostic(k.file, self.entry_line(k, None, key),
                                                   f"kustomize '{key}' is not simulated; ignored",
                                                   code="FW-KUSTOMIZE-UNSUPPORTED", cls="limit"))
        for key in ("resources", "bases"):
            for entry in _as_list(d.get(key), k, key):
                self.add_resource(k, entry, res)
        self.run_generators(k, res)
        for entry in _as_list(d.get("helmCharts"), k, "helmCharts"):
            if isinstance(entry, dict):
                self.helm_charts.append(dict(entry))
        for entry in _as_list(d.get("components"), k, "components"):
            self.add_component(k, entry, res)
        self.run_transformers(k, res)

    def _resolve(self, k: _Kustomization, entry: str, key: str) -> tuple[str, int]:
        line = self.entry_line(k, entry, key)
        what = _NOUNS.get(key, key)
        rel, found = self.repo.locate(k.dir, entry, referrer=k.file, line=line, what=what)
        if not found.usable or self.repo.ignored(rel, found.kind == "dir"):
            raise InputError(k.file, line, f"{what} '{entry}' not found", code="FW-KUSTOMIZE-MISSING")
        return rel, line

    def add_resource(self, k: _Kustomization, entry: Any, res: list[WorkRes]) -> None:
        if not isinstance(entry, str):
            raise InputError(k.file, self.entry_line(k, None, "resources"), f"resource entry {entry!r} is not a path",
                             code="FW-KUSTOMIZE-INVALID")
        if is_remote(entry):
            self.remote.append(entry)
            return
        rel, line = self._resolve(k, entry, "resources")
        if self.repo.is_dir(rel):
            kfile = self.find_kfile(rel)
            if kfile is None:
                raise InputError(k.file, line, f"folder '{entry}' has no kustomization file",
                                 code="FW-KUSTOMIZE-MISSING")
            new = self.run(self.load_kfile(kfile))
        else:
            new = self.read_manifests(rel)
        _append(res, new)

    def read_manifests(self, rel: str) -> list[WorkRes]:
        self.files.add(rel)
        out = []
        for doc in self.repo.documents(rel):
            doc.require_unique_keys()
            data = doc.data
            if not isinstance(data, dict):
                raise InputError(rel, doc.line, "expected a Kubernetes object (a mapping)",
                                 code="FW-MANIFEST-INVALID")
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
                    _redact(obj)
                out.append(WorkRes(obj, rel, doc.line, encrypted, str(md.get("name")),
                                   str(md.get("namespace") or "")))
        return out

    def add_component(self, k: _Kustomization, entry: Any, res: list[WorkRes]) -> None:
        if not isinstance(entry, str):
            raise InputError(k.file, k.line, f"component entry {entry!r} is not a path", code="FW-KUSTOMIZE-INVALID")
        if is_remote(entry):
            self.remote.append(entry)
            return
        rel, line = self._resolve(k, entry, "components")
        kfile = self.find_kfile(rel) if self.repo.is_dir(rel) else None
        if kfile is None:
            raise InputError(k.file, line, f"component '{entry}' is not a folder with a kustomization file",
                             code="FW-KUSTOMIZE-MISSING")
        self.run(self.load_kfile(kfile), res, component=True)

    # -- generators --------------------------------------------------------
    def run_generators(self, k: _Kustomization, res: list[WorkRes]) -> None:
        global_opts = k.data.get("generatorOptions")
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for entry in _as_list(k.data.get(key), k, key):
                if not isinstance(entry, dict):
                    continue
                line = self.entry_line(k, entry.get("name"), key)

                def read(path: str, _line: int = line) -> bytes:
                    if is_remote(path):
                        self.remote.append(path)
                        self.diagnostics.append(Diagnostic(k.file, _line, f"remote file '{path}' not fetched", "info",
                                                           code="FW-KUSTOMIZE-REMOTE", cls="limit"))
                        return b""
                    rel, found = self.repo.locate(k.dir, path, referrer=k.file, line=_line, what="file")
                    if found.kind != "file":
                        raise InputError(k.file, _line, f"file '{path}' not found", code="FW-KUSTOMIZE-MISSING")
                    self.files.add(rel)
                    return self.repo.read_bytes(rel)

                try:
                    obj, opts = generate(kind, entry, global_opts, read)
                except GeneratorError as err:
                    raise InputError(k.file, line, str(err), code="FW-KUSTOMIZE-INVALID") from None
                new = WorkRes(obj, k.file, line, False, obj["metadata"]["name"],
                              obj["metadata"].get("namespace", ""), needs_hash=not opts.disable_hash)
                behavior = str(entry.get("behavior") or "create")
                if behavior == "create":
                    _append(res, [new])
                else:
                    self._merge_generated(k, line, res, new, behavior)

    @staticmethod
    def _merge_generated(k: _Kustomization, line: int, res: list[WorkRes], new: WorkRes, behavior: str) -> None:
        ns = effective_ns(new)
        for old in res:
            if old.kind == new.kind and new.name in old.names() and (
                    effective_ns(old) == ns or effective_ns(old, old.org_ns) == ns):
                break
        else:
            raise InputError(k.file, line, f"{new.kind} '{new.name}' to {behavior} does not exist",
                             code="FW-KUSTOMIZE-INVALID")
        if behavior == "replace":
            for key in ("data", "binaryData", "stringData"):
                old.obj.pop(key, None)
        elif behavior != "merge":
            raise InputError(k.file, line, f"unknown generator behavior '{behavior}'", code="FW-KUSTOMIZE-INVALID")
        for key in ("data", "binaryData"):
            if key in new.obj:
                old.obj[key] = {**(old.obj.get(key) or {}), **new.obj[key]}
        for key in ("labels", "annotations"):
            if new.meta.get(key):
                old.meta[key] = {**(old.meta.get(key) or {}), **new.meta[key]}
        old.needs_hash = old.needs_hash and new.needs_hash

    # -- transformers ------------------------------------------------------
    def run_transformers(self, k: _Kustomization, res: list[WorkRes]) -> None:
        d = k.data
        for entry in _as_list(d.get("patchesStrategicMerge"), k, "patchesStrategicMerge"):
            self.patch(k, {"patch": entry} if not _looks_like_path(entry) else {"path": entry}, res,
                       "patchesStrategicMerge")
        for entry in _as_list(d.get("patches"), k, "patches"):
            self.patch(k, entry, res, "patches")
        if d.get("namespace"):
            set_namespace(res, str(d["namespace"]))
        if d.get("namePrefix") or d.get("nameSuffix"):
            add_prefix_suffix(res, str(d.get("namePrefix") or ""), str(d.get("nameSuffix") or ""))
        if d.get("commonLabels"):
            add_labels(res, d["commonLabels"], selectors=True, templates=True)
        for entry in _as_list(d.get("labels"), k, "labels"):
            if isinstance(entry, dict):
                add_labels(res, entry.get("pairs"), selectors=bool(entry.get("includeSelectors")),
                           templates=bool(entry.get("includeTemplates")))
        if d.get("commonAnnotations"):
            add_annotations(res, d["commonAnnotations"])
        for entry in _as_list(d.get("patchesJson6902"), k, "patchesJson6902"):
            self.patch(k, entry, res, "patchesJson6902")
        set_replicas(res, _as_list(d.get("replicas"), k, "replicas"))
        set_images(res, [dict(i) for i in _as_list(d.get("images"), k, "images") if isinstance(i, dict)])
        for entry in _as_list(d.get("replacements"), k, "replacements"):
            self.replace(k, entry, res)

    def _patch_text(self, k: _Kustomization, entry: dict[str, Any], key: str) -> tuple[list[Any], str, int]:
        """The patch documents of an entry, with the file/line they came from."""
        if entry.get("path"):
            rel, _ = self._resolve(k, str(entry["path"]), key)
            self.files.add(rel)
            docs = self.repo.documents(rel)
            for d in docs:
                d.require_unique_keys()
            return [d.data for d in docs], rel, docs[0].line if docs else 1
        text = entry.get("patch")
        line = self.entry_line(k, None, key)
        if isinstance(text, (dict, list)):
            return [text], k.file, line
        if not isinstance(text, str):
            raise InputError(k.file, line, f"{key} entry needs 'path' or 'patch'", code="FW-KUSTOMIZE-INVALID")
        try:
            docs = parse_documents(text, k.file)
            for d in docs:
                d.require_unique_keys()
        except InputError as err:
            raise InputError(k.file, line, f"invalid inline patch: {err.message}", code=err.code, cls=err.cls) from None
        return [d.data for d in docs], k.file, line

    def patch(self, k: _Kustomization, entry: Any, res: list[WorkRes], key: str) -> None:
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict):
            raise InputError(k.file, self.entry_line(k, None, key), f"{key} entry must be a mapping",
                             code="FW-KUSTOMIZE-INVALID")
        docs, pfile, pline = self._patch_text(k, entry, key)
        target = entry.get("target")
        try:
            for doc in docs:
                if isinstance(doc, list):
                    if not isinstance(target, dict):
                        raise PatchError("a JSON 6902 patch needs a target")
                    for r in [r for r in res if selects(target, r.obj, r.names(), r.namespaces())]:
                        r.obj = apply_json6902(r.obj, doc, self.growth)
                elif isinstance(doc, dict):
                    if isinstance(target, dict):
                        chosen = [r for r in res if selects(target, r.obj, r.names(), r.namespaces())]
                    else:
                        chosen = [_by_id(res, doc)]
                    for r in chosen:
                        if apply_strategic(r.obj, doc) is None:
                            res.remove(r)
                else:
                    raise PatchError("patch must be a mapping or a JSON 6902 list")
        except PatchError as err:
            raise InputError(pfile, pline, f"patch: {err}", code=err.code, cls=problem_class(err.code)) from None

    def replace(self, k: _Kustomization, entry: Any, res: list[WorkRes]) -> None:
        line = self.entry_line(k, None, "replacements")
        entries = [entry]
        if isinstance(entry, dict) and entry.get("path"):
            rel, line = self._resolve(k, str(entry["path"]), "replacements")
            self.files.add(rel)
            entries = []
            for doc in self.repo.documents(rel):
                self.note_duplicates(doc)
                items = doc.data if isinstance(doc.data, list) else [doc.data]
                for i, item in enumerate(items):
                    bad = problems(item, REPLACEMENT, (i,) if isinstance(doc.data, list) else ())
                    if bad:
                        where = field_line(self.repo.read_text(rel), doc.line, bad[0].path)
                        raise InputError(rel, where, f"invalid replacement: {bad[0]} (kustomize refuses it)",
                                         code="FW-KUSTOMIZE-INVALID")
                entries.extend(items)
        for rep in entries:
            if not isinstance(rep, dict):
                raise InputError(k.file, line, "replacement must be a mapping", code="FW-KUSTOMIZE-INVALID")
            try:
                apply_replacement(res, rep, self.growth)
            except ReplacementError as err:
                raise InputError(k.file, line, str(err), code=err.code, cls=problem_class(err.code)) from None

    # -- top ---------------------------------------------------------------
    def finish(self, res: list[WorkRes], sort: bool = True) -> BuildResult:
        for r in res:
            if r.needs_hash:
                r.remember()
                r.meta["name"] = f"{r.name}-{name_hash(r.obj)}"
        fix_back_references(res)
        if sort:
            res = sorted(res, key=legacy_order_key)
        return BuildResult(
            resources=[Resource(r.obj, r.file, r.line, r.encrypted) for r in res],
            files=sorted(self.files),
            remote=self.remote,
            helm_charts=self.helm_charts,
            diagnostics=self.diagnostics,
        )


def _as_list(value: Any, k: _Kustomization, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(k.file, k.line, f"'{key}' must be a list", code="FW-KUSTOMIZE-INVALID")
    return value


def _looks_like_path(entry: Any) -> bool:
    return isinstance(entry, str) and "\n" not in entry and not entry.lstrip().startswith(("{", "apiVersion"))


def _redact(obj: dict[str, Any]) -> None:
    """SOPS documents keep their shape, never their payload."""
    obj.pop("sops", None)
    for key in ("data", "stringData"):
        if isinstance(obj.get(key), dict):
            obj[key] = {k: "" for k in obj[key]}


def _append(res: list[WorkRes], new: list[WorkRes]) -> None:
    ids = {r.cur_id() for r in res}
    for r in new:
        rid = r.cur_id()
        if rid in ids:
            raise InputError(r.file, r.line, f"duplicate object {r.kind} "
                             f"{rid[2] + '/' if rid[2] else ''}{rid[3]}: may not add a resource with an "
                             "already registered id", code="FW-KUSTOMIZE-DUPLICATE")
        ids.add(rid)
        res.append(r)


def _by_id(res: list[WorkRes], patch: dict[str, Any]) -> WorkRes:
    """The single resource a target-less strategic-merge patch names (any current or earlier id)."""
    md = patch.get("metadata") or {}
    name = md.get("name")
    kind = patch.get("kind")
    group = group_of(patch)
    found = []
    for r in res:
        if r.kind != kind or group_of(r.obj) != group or name not in r.names():
            continue
        want = effective_ns(r, str(md.get("namespace") or ""))
        if want in {effective_ns(r, ns) for ns in r.namespaces()}:
            found.append(r)
    if len(found) != 1:
        where = f"{md.get('namespace')}/" if md.get("namespace") else ""
        raise PatchError(f"{'no' if not found else 'more than one'} resource matches "
                         f"{kind} {where}{name}")
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
    res = b.run(k, top=True)
    return b.finish(res, sort=_sort_legacy(k))


def _sort_legacy(k: _Kustomization) -> bool:
    opts = k.data.get("sortOptions")
    return not (isinstance(opts, dict) and opts.get("order") == "fifo")


def generated_kustomization(repo: Repo, rel: str) -> dict[str, Any]:
    """The kustomization kustomize-controller writes into a folder that has none.

    Raises :class:`InputError` for a YAML file that is not Kubernetes YAML.
    """
    b = _Builder(repo)
    resources: list[str] = []

    for child, is_dir in repo.walk(rel, descend=lambda folder: b.find_kfile(folder) is None):
        if is_dir:
            if b.find_kfile(child):
                resources.append("./" + os.path.relpath(child, rel))
        elif child.endswith((".yaml", ".yml")):
            for doc in repo.documents(child, copy=False):
                doc.require_unique_keys()
                data = doc.data
                if not isinstance(data, dict) or not data.get("kind") or not data.get("apiVersion"):
                    raise InputError(child, doc.line, "failed to decode Kubernetes YAML: "
                                     "apiVersion and kind are required", code="FW-MANIFEST-INVALID")
            resources.append("./" + os.path.relpath(child, rel))
    return {"apiVersion": f"{KUSTOMIZE_API}/v1beta1", "kind": "Kustomization", "resources": resources}


def merge_overrides(data: dict[str, Any], overrides: FluxOverrides) -> dict[str, Any]:
    """Merge a Flux Kustomization's fields into a kustomization (a new dict), as the generator does."""
    data = dict(data)
    if overrides.target_namespace:
        data["namespace"] = overrides.target_namespace
    if overrides.name_prefix:
        data["namePrefix"] = overrides.name_prefix
    if overrides.name_suffix:
        data["nameSuffix"] = overrides.name_suffix
    if overrides.patches:
        data["patches"] = list(data.get("patches") or []) + [dict(p) for p in overrides.patches]
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


def flux_kustomization(repo: Repo, path: str, overrides: FluxOverrides | None = None) -> tuple[str, dict[str, Any]]:
    """The kustomization file kustomize-controller writes for a KS path, and its content.

    The folder's own file (or a generated one when it has none) with the KS's fields merged in:
    what `kubectl kustomize` must be given to build what Flux builds.
    """
    rel = flux_path(path)
    b = _Builder(repo)
    kfile = b.find_kfile(rel)
    if kfile is not None:
        data = b.load_kfile(kfile).data
    else:
        kfile, data = _join(rel, "kustomization.yaml"), generated_kustomization(repo, rel)
    return kfile, merge_overrides(data, overrides or FluxOverrides())


def build_flux_path(repo: Repo, path: str, overrides: FluxOverrides | None = None) -> BuildResult:
    """Build a Flux Kustomization's spec.path (repo-relative, e.g. './apps/x' or 'apps/x') as
    kustomize-controller does. Raises InputError(file, line, message) when Flux's build would fail."""
    overrides = overrides or FluxOverrides()
    rel = flux_path(path)
    found = repo.entry(rel)
    if found.kind == "refused":
        raise InputError(rel, 1, f"kustomization path '{path}': {found.reason}", code=found.code,
                         cls=problem_class(found.code))
    if found.kind != "dir" or repo.ignored(rel, True):
        raise InputError(rel, 1, f"kustomization path '{path}' not found", code="FW-KS-PATH-MISSING")
    for c in overrides.components:
        if is_remote(c) or os.path.isabs(c):
            raise InputError(rel, 1, f"component path '{c}' must be local and relative", code="FW-KUSTOMIZE-INVALID")
    b = _Builder(repo)
    kfile = b.find_kfile(rel)
    if kfile is not None:
        k = b.load_kfile(kfile)
    else:
        k = _Kustomization(rel, _join(rel, "kustomization.yaml"), 1, generated_kustomization(repo, rel),
                           generated=True)
    k.data = merge_overrides(k.data, overrides)
    res = b.run(k, top=True)
    result = b.finish(res, sort=_sort_legacy(k))
    if overrides.common_metadata:
        _apply_common_metadata(result.resources, overrides.common_metadata)
    return result
