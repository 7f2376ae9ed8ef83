"""Local folders that hold what a Flux source outside the repository would fetch.

A Kustomization whose source is not the entry's revision (another GitRepository, an OCI artifact CI pushes
from a sub-folder) cannot be built from the repository alone. The ``sources:`` option maps such a source,
by ``Kind/namespace/name`` or by URL, to a folder: the other repository checked out beside this one, or the
sub-folder CI packages. Each folder is read like the repository (load/confine.py: nothing outside it, links
that lead out refused, no links at all in an artifact).

Without a mapping, an OCIRepository's folder is inferred from a CI workflow of the repository
(``.github/workflows/*.y*ml``) that runs ``flux push artifact <url> --path=<dir>`` (fluxcd/flux2
cmd/flux/push_artifact.go: ``--path`` is the folder packaged into the artifact), or uses the Flux push action
that runs it, for a URL the OCIRepository's matches; the page says where it was inferred from.
"""

from __future__ import annotations

import os
import re
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import yaml

from ..load.confine import ConfinedDir
from ..model import InputError, SourceDir, SourceInfo
from .goregexp import compile_go

OPTION = "sources"
MAPPABLE_KINDS = ("GitRepository", "OCIRepository", "Bucket")
WORKFLOWS = ".github/workflows"
_MAX_WORKFLOWS = 200  # workflow files read for `flux push artifact`
_PUSH_ACTION = "controlplaneio-fluxcd/distribution/actions/push"
# pattern strings, compiled by `re` on first use (a repository without CI workflows never needs them)
_PUSH = r"\bflux\s+push\s+artifact\b"
_SUBST = r"\$\{\{.*?\}\}|\$\([^()]*\)"  # ${{ expr }}, $(command)
_EXPR = r"\$\{\{.*?\}\}|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*"  # ${{ expr }}, ${VAR}, $VAR
_ENV_USE = r"\$\{\{\s*env\.(\w+)\s*\}\}|\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)"  # ${{ env.VAR }}, ${VAR}, $VAR
# GitHub Actions context values of a known shape (docs.github.com, "Contexts reference"), as matched in a URL
# (``${{ github.repository }}`` or its environment variable ``$GITHUB_REPOSITORY``, named as the variable)
_GITHUB_SHAPES = {"GITHUB_REPOSITORY": "[^/]+/[^/]+", "GITHUB_REPOSITORY_OWNER": "[^/]+", "GITHUB_ACTOR": "[^/]+",
                  "GITHUB_EVENT_REPOSITORY_NAME": "[^/]+"}


def normalized_url(url: str | None) -> str:
    """A source URL as two spellings of the same repository compare: no ``.git``, no trailing ``/``, SSH
    GitHub URLs as HTTPS, an OCI reference without its tag or digest, lower case."""
    u = (url or "").strip().rstrip("/")
    if u.endswith(".git"):
        u = u[:-4]
    u = u.replace("ssh://git@", "https://").replace("git@github.com:", "https://github.com/")
    u = re.sub(r"^(https?://)[^/?#@]*@", r"\1", u)  # credentials (or their hidden mark) name no other repository
    if u.startswith("oci://"):
        u = u.split("@", 1)[0]
        head, _, last = u.rpartition("/")
        if ":" in last:
            u = f"{head}/{last.split(':', 1)[0]}"
    return u.lower()


def source_key(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}"


def parse_key(key: str) -> str:
    """The canonical form of a ``sources:`` key: ``Kind/namespace/name`` or a normalized URL.
    ValueError with what is expected otherwise."""
    key = key.strip()
    if "://" in key or key.startswith("git@"):
        return normalized_url(key)
    parts = key.split("/")
    if len(parts) == 3 and parts[0] in MAPPABLE_KINDS and all(parts):
        return key
    raise ValueError(f"'{key}' is neither a source URL nor Kind/namespace/name with Kind one of "
                     f"{', '.join(MAPPABLE_KINDS)}")


class CiPush(namedtuple("CiPush", "url path file line")):
    """One ``flux push artifact`` a CI workflow runs: the URL (a pattern where it uses variables) and path."""

    __slots__ = ()

    url: str
    path: str
    file: str
    line: int

    def matches(self, url: str | None, bound: dict[str, str] | None = None) -> bool:
        """Whether ``url`` is what this push publishes. A CI variable stands for any text, a GitHub context
        value for its own shape (``github.repository`` is owner/name: another repository's deeper path is not
        this one's artifact), or for the value ``bound`` gives it (see :meth:`bindings`)."""
        want = normalized_url(url)
        return bool(want) and compile_go(self._pattern(bound or {})).fullmatch(want) is not None

    def bindings(self, url: str | None) -> dict[str, str] | None:
        """The GitHub context values that make ``url`` (the cluster's own artifact) what this push publishes;
        None when it is not (or when one value would have to be two texts). They are the same for every push of
        the repository: another repository's artifact of the same shape (``ghcr.io/acme/apps`` beside
        ``ghcr.io/acme/fleet``) is then told apart."""
        m = compile_go(self._pattern({}, named=True)).fullmatch(normalized_url(url)) if url else None
        if m is None:
            return None
        values: dict[str, str] = {}
        for group, value in m.groupdict().items():
            name = group.rpartition("__")[0]
            if value is not None and values.setdefault(name, value) != value:
                return None
        return values

    def _pattern(self, bound: dict[str, str], named: bool = False) -> str:
        """The URL as a pattern for RE2 (:mod:`.goregexp`: a URL comes from the repository, and '.*' per variable
        would let a backtracking engine's time grow as the URL's length to the power of its variables): each
        variable a wildcard, its shape, or its bound value; ``named``: each GitHub context value a group
        ``NAME__i`` (its i-th use)."""
        pattern, at, uses = "", 0, 0
        own = normalized_url(self.url)
        for m in re.finditer(_EXPR, own):
            name = _variable(m.group())
            shape = _GITHUB_SHAPES.get(name)
            if shape and name in bound:
                part = re.escape(bound[name])
            elif shape and named:
                uses += 1
                part = f"(?P<{name}__{uses}>{shape})"
            else:
                part = shape or ".*"
            pattern += re.escape(own[at:m.start()]) + part
            at = m.end()
        return pattern + re.escape(own[at:])



class SourceDirs:
    """The configured and inferred folders of one repository's sources."""

    def __init__(self, configured: dict[str, Path] | None = None, repo_root: Path | None = None,
                 pushes: list[CiPush] | None = None):
        self.repo_root = repo_root.resolve() if repo_root else None
        self.configured = {parse_key(k): Path(os.path.abspath(v)) for k, v in (configured or {}).items()}
        self.pushes = pushes or []

    def _shown(self, root: Path) -> str:
        if self.repo_root is None:
            return str(root)
        rel = os.path.relpath(root, self.repo_root)
        return PurePosixPath(Path(rel).as_posix()).as_posix()

    def find(self, info: SourceInfo, anchor: str | None = None) -> SourceDir | None:
        """The folder mapped to ``info`` (by kind/namespace/name, then URL), else the folder CI pushes to an
        OCIRepository's URL from; None when flux-wiki has none. ``anchor`` is the URL of the cluster's own
        source: where a push publishes it, the GitHub context values it shows hold for ``info`` too."""
        for key in (source_key(info.kind, info.namespace, info.name), normalized_url(info.url) if info.url else None):
            if key and key in self.configured:
                root = self.configured[key]
                return SourceDir(key, root, f"the `{OPTION}:` option", shown=self._shown(root))
        if info.kind == "OCIRepository" and self.repo_root is not None:
            for push in self.pushes:
                if push.matches(info.url, push.bindings(anchor) if anchor else None):
                    root = Path(os.path.normpath(self.repo_root / push.path))
                    return SourceDir(source_key(info.kind, info.namespace, info.name), root,
                                     f"inferred from {push.file}:{push.line}, which runs `flux push artifact "
                                     f"--path={push.path}`", push.file, push.line, shown=self._shown(root))
        return None


def unmapped_hint(info: SourceInfo) -> str:
    """What to set so flux-wiki can build a source it has no folder for."""
    if info.kind not in MAPPABLE_KINDS:
        return ""
    return (f"; map it to a local folder with the `{OPTION}:` option "
            f"(`{source_key(info.kind, info.namespace, info.name)}: <folder>`) to document it")


def ci_pushes(files: ConfinedDir) -> list[CiPush]:
    """Every ``flux push artifact`` of the repository's GitHub workflows whose ``--path`` is a folder of the
    repository (one given by a CI variable, or leading out, is not inferred).

    ``files`` is the repository's :class:`~flux_wiki.load.confine.ConfinedDir` (workflows are read whatever
    ``.sourceignore`` says: they are not part of the artifact, but they say how it is made)."""
    out: list[CiPush] = []
    for name, entry in files.listdir(WORKFLOWS)[:_MAX_WORKFLOWS]:
        if entry.kind != "file" or not name.endswith((".yml", ".yaml")):
            continue
        rel = f"{WORKFLOWS}/{name}"
        try:
            text = files.read_bytes(rel).decode("utf-8", "replace")
        except InputError:
            continue
        envs = None
        for m in re.finditer(_PUSH, text):
            line = text.count("\n", 0, m.start()) + 1
            envs = _step_envs(text) if envs is None else envs
            env = next((e for first, last, e in envs if first <= line <= last), {})
            push = _parse_push(_expand(command_at(text, m.end()), env), rel, line)
            if push is not None:
                out.append(push)
        out += _action_pushes(text, rel)
    return out


def _action_pushes(text: str, file: str) -> list[CiPush]:
    """Steps using the Flux push action (controlplaneio-fluxcd/distribution ``actions/push/action.yml``:
    ``repository`` without ``oci://`` nor tag, ``path`` defaulting to ``.``), which runs
    ``flux push artifact oci://<repository>:<tag> --path=<path>``."""
    if _PUSH_ACTION not in text:
        return []
    out = []
    for _, _, step in _workflow_steps(text):
        uses = _get(step, "uses")
        if not (isinstance(uses, yaml.ScalarNode) and uses.value.startswith(_PUSH_ACTION + "@")):
            continue
        inputs = _get(step, "with")
        repository, path = _get(inputs, "repository"), _get(inputs, "path")
        if isinstance(repository, yaml.ScalarNode) and (path is None or isinstance(path, yaml.ScalarNode)):
            push = _parse_push(f"oci://{repository.value} --path={path.value if path else '.'}", file,
                               uses.start_mark.line + 1)
            if push is not None:
                out.append(push)
    return out


def _workflow_steps(text: str) -> Iterator[tuple[yaml.Node, yaml.Node, yaml.Node]]:
    """(workflow, job, step) for each step of a GitHub workflow; none when the text is not YAML."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    for job in _values(_get(root, "jobs")):
        for step in _items(_get(job, "steps")):
            yield root, job, step


def _step_envs(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Each step's ``run`` lines (1-based, first and last) with the variables GitHub Actions sets for its shell:
    the workflow's ``env:``, then the job's, then the step's, a later one winning."""
    return [(run.start_mark.line + 1, run.end_mark.line + 1, _env(root) | _env(job) | _env(step))
            for root, job, step in _workflow_steps(text)
            if isinstance(run := _get(step, "run"), yaml.ScalarNode)]


def _env(node: yaml.Node | None) -> dict[str, str]:
    env = _get(node, "env")
    if not isinstance(env, yaml.MappingNode):
        return {}
    return {k.value: v.value for k, v in env.value
            if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}


def _expand(command: str, env: dict[str, str]) -> str:
    """The command with the variables ``env`` sets replaced by their values, once: ``${{ env.NAME }}`` (GitHub
    puts it in before the shell runs), ``$NAME`` and ``${NAME}``; a value's own ``${{ expr }}`` is the workflow
    expression GitHub evaluates."""
    return re.sub(_ENV_USE, lambda m: env.get(m.group(1) or m.group(2) or m.group(3), m.group()), command)


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _values(node: yaml.Node | None) -> list[yaml.Node]:
    return [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else []


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def command_at(text: str, start: int) -> str:
    """The rest of a shell command from ``start``: to the end of the line, following ``\\`` continuations."""
    out, i = [], start
    while True:
        end = text.find("\n", i)
        chunk = text[i:] if end < 0 else text[i:end]
        if chunk.rstrip().endswith("\\") and end >= 0:
            out.append(chunk.rstrip()[:-1])
            i = end + 1
            continue
        out.append(chunk)
        return " ".join(out)


def _variable(expr: str) -> str:
    """The variable an expression stands for: ``${{ github.repository }}`` and ``$GITHUB_REPOSITORY`` both
    ``GITHUB_REPOSITORY``."""
    return re.sub(r"[\s${}()]", "", expr).replace(".", "_").upper()


def _parse_push(command: str, file: str, line: int) -> CiPush | None:
    # a workflow expression or a command substitution is one word whatever spaces it holds; a GitHub context
    # value of a known shape keeps its name
    import shlex  # loaded with the first `flux push artifact` found

    command = re.sub(_SUBST, lambda m: "$" + (_variable(m.group()) if _variable(m.group()) in _GITHUB_SHAPES
                                              else "CI"), command)
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        return None
    url, path = None, None
    it = iter(words)
    for w in it:
        if w in ("&&", "||", ";", "|"):
            break
        if w == "--path":
            path = next(it, None)
        elif w.startswith("--path="):
            path = w.split("=", 1)[1]
        elif not w.startswith("-") and url is None:
            url = w
    if not url or not path or not url.startswith("oci://"):
        return None
    joined = os.path.normpath(path)
    if joined == ".." or joined.startswith("../") or os.path.isabs(joined) or re.search(_EXPR, path):
        return None
    return CiPush(url, PurePosixPath(joined).as_posix(), file, line)
