"""Where a repository without a bootstrap manifest says its clusters are bootstrapped: the commands of its
scripts, Makefiles, Taskfiles, CI workflows and README, and its Terraform.

Read only when nothing in the repository is an entry point (no gotk-sync.yaml, FluxInstance or flux-instance
release): fluxcd/flux2-hub-spoke-example creates its root with ``flux create kustomization flux-system
--path=./hub`` in scripts/flux-up.sh. Each command names a root path, as Flux's CLI takes it:

* ``flux bootstrap <provider> ... --path=<folder>`` (flux2 cmd/flux/bootstrap*.go): the cluster's folder;
* ``flux create kustomization flux-system ... --path=<folder>``: the root Kustomization bootstrap would make
  (other names are the root's children, not roots);
* Terraform ``resource "flux_bootstrap_git"`` with ``path = "<folder>"`` (terraform-provider-flux), or
  ``path = var.<name>`` with the values the module folder's ``*.tfvars`` and the variable's default give it.

``flux create source git flux-system --url=... --ignore-paths=...`` in the same file gives the root's source
its URL and ``spec.ignore``.

A path with variables (``clusters/${var.cluster_name}``, ``--path=./clusters/$CLUSTER``) names every folder
it can select: each segment with a variable matches any one folder name (its literal text around the variable
kept), so a fleet bootstrapped per cluster from one command gets a cluster per folder; a path made of
variables alone, or that is not a folder of the repository, is not used. Reads are bounded: a few folders
deep, a few hundred files, each file capped like any other, at most ``_MAX_MATCHES`` folders per path.

The same files' Terraform also tells which Flux Kustomizations it creates itself (``kubernetes_manifest``): a
dependsOn on one is no dangling reference (:func:`terraform_kustomizations`).
"""

from __future__ import annotations

import re
from collections import namedtuple
from pathlib import PurePosixPath

from ..load import Repo
from ..model import InputError
from .source_dirs import command_at

_MAX_FILES = 300  # files read
_MAX_DEPTH = 3  # folders below the root
_SCRIPT = re.compile(r"(?:\.(?:sh|bash|zsh|tf|mk|ya?ml|md)|^(?:Makefile|makefile|GNUmakefile|justfile|Justfile))$")
_SKIPPED_DIRS = {".git", "node_modules", "vendor", ".terraform"}
# flux --context "kind-hub": a flag's name starts with a word character, so each flag splits one way only (a
# name that could also take the second dash makes the repetition try 2^n splits on a line of n flags)
_GLOBAL_FLAG = r"""\s+-{1,2}\w[\w-]*(?:=\S+|\s+(?:"[^"\n]*"|'[^'\n]*'|[^\s-]\S*))?"""
_COMMAND = re.compile(rf"\bflux(?:{_GLOBAL_FLAG})*\s+(bootstrap\s+[a-z-]+|create\s+(?:kustomization|ks)\s+([A-Za-z0-9_.-]+))")
_SOURCE = re.compile(rf"\bflux(?:{_GLOBAL_FLAG})*\s+create\s+source\s+git\s+flux-system\b")
_FLAG_VALUE = r"(?:=|\s+)([\"']?)([^\s\"'\\;|&]+)\1"
_PATH_FLAG = re.compile(r"--path(?:=|\s+)([\"']?)([^\s\"'\\;|&]+)\1")
_TF_BOOTSTRAP = re.compile(r'resource\s+"flux_bootstrap_git"')
# a shell, Make, Terraform, GitHub Actions or Go-template variable in a path
_VARIABLE = re.compile(r"\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\}|%[A-Za-z_][A-Za-z0-9_]*%")
_MAX_MATCHES = 20  # folders one path with variables names
_TF_PATH = re.compile(r'^\s*path\s*=\s*"([^"]+)"', re.M)
_TF_PATH_VARIABLE = re.compile(r'^\s*path\s*=\s*var\.([A-Za-z_][A-Za-z0-9_-]*)\s*$', re.M)
_TF_DEFAULT = re.compile(r'^\s*default\s*=\s*"([^"$]+)"', re.M)
_TF_MANIFEST = re.compile(r'resource\s+"(kubernetes_manifest|kubectl_manifest)"\s+"([^"]+)"')
_TF_KIND = re.compile(r'^\s*"?kind"?\s*=\s*"Kustomization"', re.M)
_TF_API = re.compile(r'^\s*"?apiVersion"?\s*=\s*"kustomize\.toolkit\.fluxcd\.io/', re.M)
_TF_METADATA = re.compile(r'^\s*"?metadata"?\s*=\s*\{([^{}]*)', re.M)  # up to its first nested map
_TF_NAME = re.compile(r'^\s*"?name"?\s*=\s*"([a-z0-9.-]+)"', re.M)
_TF_NAMESPACE = re.compile(r'^\s*"?namespace"?\s*=\s*"([a-z0-9-]+)"', re.M)


class BootstrapCommand(namedtuple("BootstrapCommand", "path file line command url ignore", defaults=(None, None))):
    """A command (or Terraform resource) that bootstraps a cluster from ``path``, at ``file:line``."""

    __slots__ = ()

    path: str  # the root folder, repository-relative, without ./
    file: str
    line: int
    command: str  # what it runs, as pages quote it: ``flux bootstrap github``
    url: str | None  # the flux-system GitRepository's URL, when the same file creates it
    ignore: str | None  # and its --ignore-paths, as spec.ignore lines


def bootstrap_commands(repo: Repo) -> list[BootstrapCommand]:
    """Every bootstrap command of the repository whose path is one of its folders, in file order."""
    out: list[BootstrapCommand] = []
    for rel in _candidates(repo):
        try:
            text = repo.read_bytes(rel).decode("utf-8", "replace")
        except InputError:
            continue
        if rel.endswith(".tf"):
            out += _terraform(repo, rel, text)
            continue
        url = ignore = None
        source = _SOURCE.search(text)
        if source:  # flux create source git flux-system --url=... --ignore-paths=a,b (flux2 cmd/flux/create_source_git.go)
            command = command_at(text, source.end())
            found = re.search(r"--url" + _FLAG_VALUE, command)
            url = found.group(2) if found and "$" not in found.group(2) else None
            found = re.search(r"--ignore-paths" + _FLAG_VALUE, command)
            ignore = "\n".join(p for p in found.group(2).split(",") if p) if found and "$" not in found.group(2) else None
        for m in _COMMAND.finditer(text):
            if m.group(2) is not None and m.group(2) != "flux-system":
                continue
            flag = _PATH_FLAG.search(command_at(text, m.end()))
            for path in _folders(repo, flag.group(2)) if flag else []:
                line = text.count("\n", 0, m.start()) + 1
                out.append(BootstrapCommand(path, rel, line, "flux " + " ".join(m.group(1).split()),
                                            url if m.group(2) else None, ignore if m.group(2) else None))
    return out


def _terraform(repo: Repo, rel: str, text: str) -> list[BootstrapCommand]:
    out = []
    for m in _TF_BOOTSTRAP.finditer(text):
        end = text.find("\nresource ", m.end())
        body = text[m.end():end if end >= 0 else len(text)]
        found = _TF_PATH.search(body) or _TF_PATH_VARIABLE.search(body)
        if found is None:
            continue
        raws = [found.group(1)] if found.re is _TF_PATH else _variable_values(repo, rel, found.group(1))
        paths = dict.fromkeys(path for raw in raws for path in _folders(repo, raw))
        for path in sorted(paths):
            out.append(BootstrapCommand(path, rel, text.count("\n", 0, m.end() + found.start()) + 1,
                                        "Terraform flux_bootstrap_git"))
    return out


def _variable_values(repo: Repo, rel: str, name: str) -> list[str]:
    """The string values Terraform may give ``var.<name>`` in the module folder of ``rel``: the assignments of
    its ``*.tfvars`` files (terraform.tfvars and *.auto.tfvars load by themselves, the others with -var-file)
    and the ``default`` of its ``variable`` block."""
    folder = PurePosixPath(rel).parent.as_posix()
    folder = "" if folder == "." else folder
    assignment = re.compile(rf'^\s*{re.escape(name)}\s*=\s*"([^"$]+)"', re.M)
    block = re.compile(rf'variable\s+"{re.escape(name)}"\s*\{{([^{{}}]*)\}}')
    values = []
    for file, entry in repo.files.listdir(folder):
        if entry.kind != "file" or not file.endswith((".tfvars", ".tf")):
            continue
        try:
            text = repo.read_bytes(f"{folder}/{file}" if folder else file).decode("utf-8", "replace")
        except InputError:
            continue
        if file.endswith(".tfvars"):
            values += assignment.findall(text)
        else:
            values += [v for b in block.findall(text) for v in _TF_DEFAULT.findall(b)]
    return values


class TerraformManifest(namedtuple("TerraformManifest", "address file line")):
    """A Flux Kustomization a Terraform manifest resource creates, at ``file:line``."""

    __slots__ = ()

    address: str  # kubernetes_manifest.<name>, kubectl_manifest.<name>
    file: str
    line: int


def terraform_kustomizations(repo: Repo) -> dict[str, TerraformManifest]:
    """The Flux Kustomizations (``namespace/name``) the repository's Terraform creates from a literal map: the
    ``manifest`` of a ``kubernetes_manifest`` (hashicorp/kubernetes) or the ``yamlencode`` of a ``kubectl_manifest``
    (gavinbunney/kubectl). Objects of the cluster that no Flux source holds; a name or namespace Terraform
    computes is left out."""
    out: dict[str, TerraformManifest] = {}
    for rel in _candidates(repo):
        if not rel.endswith(".tf"):
            continue
        try:
            text = repo.read_bytes(rel).decode("utf-8", "replace")
        except InputError:
            continue
        for m in _TF_MANIFEST.finditer(text):
            end = text.find("\nresource ", m.end())
            body = text[m.end():end if end >= 0 else len(text)]
            metadata = _TF_METADATA.search(body)
            if not (_TF_KIND.search(body) and _TF_API.search(body) and metadata):
                continue
            name, namespace = _TF_NAME.search(metadata.group(1)), _TF_NAMESPACE.search(metadata.group(1))
            if name and namespace:
                out.setdefault(f"{namespace.group(1)}/{name.group(1)}", TerraformManifest(
                    f"{m.group(1)}.{m.group(2)}", rel, text.count("\n", 0, m.start()) + 1))
    return out


def _folders(repo: Repo, raw: str) -> list[str]:
    """The repository folders ``raw`` names (``./hub/`` -> ``hub``): none when it leaves the repository or names
    no folder; with variables, each folder it can select (``clusters/${var.name}`` -> ``clusters/dev``,
    ``clusters/prod``), when at least one of its segments has none."""
    path = PurePosixPath(raw.strip()).as_posix().lstrip("/")
    while path.startswith("./"):
        path = path[2:]
    parts = PurePosixPath(path).parts if path and path != "." else ()
    if not parts or ".." in parts:
        return []
    patterns = [re.compile("[^/]+".join(map(re.escape, _VARIABLE.split(p)))) if _VARIABLE.search(p) else None
                for p in parts]
    if all(patterns):
        return []  # variables alone: any folder at all
    if any(p is None and ("$" in part or "{" in part or "%" in part) for p, part in zip(patterns, parts)):
        return []  # a variable spelt some other way
    found = [""]
    for part, pattern in zip(parts, patterns):
        if pattern is None:
            found = [f"{f}/{part}" if f else part for f in found]
            found = [f for f in found if repo.is_dir(f)]
        else:
            found = [f"{f}/{name}" if f else name for f in found for name, entry in repo.files.listdir(f)
                     if entry.kind == "dir" and not name.startswith(".") and pattern.fullmatch(name)]
        found = found[:_MAX_MATCHES]
    return sorted(found)


def _candidates(repo: Repo) -> list[str]:
    """The files to read, breadth first: scripts and build files a few folders deep, the CI workflows, the
    root README."""
    out: list[str] = []
    queue: list[tuple[str, int]] = [("", 0)]
    while queue and len(out) < _MAX_FILES:
        folder, depth = queue.pop(0)
        for name, entry in repo.files.listdir(folder):
            rel = f"{folder}/{name}" if folder else name
            if entry.kind == "dir":
                hidden = name.startswith(".") and rel not in (".github", ".github/workflows")
                if depth < _MAX_DEPTH and name not in _SKIPPED_DIRS and not hidden:
                    queue.append((rel, depth + 1))
            elif _SCRIPT.search(name) and (not name.endswith((".yaml", ".yml")) or folder == ".github/workflows"
                                           or name.lower().startswith("taskfile")) \
                    and (not name.endswith(".md") or rel.lower() == "readme.md"):
                out.append(rel)
                if len(out) >= _MAX_FILES:
                    break
    return out
