"""source-controller's ignore rules (plugins/flux_wiki/load/sourceignore.py), checked three ways.

1. The upstream test tables, ported case for case: Go's ``path/filepath/match_test.go`` (matchTests), go-git
   v5.16.4 ``plumbing/format/gitignore/pattern_test.go`` and ``matcher_test.go`` as vendored in fluxcd/pkg
   ``sourceignore/gitignore`` (commit f78daaa7afb2), and fluxcd/pkg ``sourceignore/sourceignore_test.go``.
2. source-controller's use of them (fluxcd/pkg ``artifact/storage`` SourceIgnoreFilter/Archive, called from
   source-controller ``internal/controller/gitrepository_controller.go`` reconcileArtifact) through ``Repo``.
3. A differential against ``git check-ignore --no-index`` that lists every place go-git and git disagree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from flux_wiki.engine import build_model
from flux_wiki.load import Repo
from flux_wiki.load.confine import ConfinedDir
from flux_wiki.load.sourceignore import (EXCLUDE, INCLUDE, NO_MATCH, ArtifactFilter, Pattern, glob_match,
                                         load_ignore_patterns, matcher_match, read_patterns)

from .go_filepath_match import BadPattern, go_match

# -- 1. upstream tables -------------------------------------------------------------------------------
BAD = None  # filepath.ErrBadPattern

# golang/go src/path/filepath/match_test.go, matchTests (pattern, name, result)
GO_MATCH_TESTS = [
    ("abc", "abc", True), ("*", "abc", True), ("*c", "abc", True), ("a*", "a", True), ("a*", "abc", True),
    ("a*", "ab/c", False), ("a*/b", "abc/b", True), ("a*/b", "a/c/b", False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True), ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False), ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True), ("a*b?c*x", "abxbbxdbxebxczzy", False),
    ("ab[c]", "abc", True), ("ab[b-d]", "abc", True), ("ab[e-g]", "abc", False), ("ab[^c]", "abc", False),
    ("ab[^b-d]", "abc", False), ("ab[^e-g]", "abc", True), ("a\\*b", "a*b", True), ("a\\*b", "ab", False),
    ("a?b", "a☺b", True), ("a[^a]b", "a☺b", True), ("a???b", "a☺b", False), ("a[^a][^a][^a]b", "a☺b", False),
    ("[a-ζ]*", "α", True), ("*[a-ζ]", "A", False), ("a?b", "a/b", False), ("a*b", "a/b", False),
    ("[\\]a]", "]", True), ("[\\-]", "-", True), ("[x\\-]", "x", True), ("[x\\-]", "-", True),
    ("[x\\-]", "z", False), ("[\\-x]", "x", True), ("[\\-x]", "-", True), ("[\\-x]", "a", False),
    ("[]a]", "]", BAD), ("[-]", "-", BAD), ("[x-]", "x", BAD), ("[x-]", "-", BAD), ("[x-]", "z", BAD),
    ("[-x]", "x", BAD), ("[-x]", "-", BAD), ("[-x]", "a", BAD), ("\\", "a", BAD), ("[a-b-c]", "a", BAD),
    ("[", "a", BAD), ("[^", "a", BAD), ("[^bc", "a", BAD), ("a[", "a", BAD), ("a[", "ab", BAD),
    ("a[", "x", BAD), ("a/b[", "x", BAD), ("*x", "xxx", True),
]


@pytest.mark.parametrize(("pattern", "name", "want"), GO_MATCH_TESTS)
def test_go_filepath_match(pattern: str, name: str, want: bool | None) -> None:
    assert glob_match(pattern, name) is want


GLOB_CHARS = st.sampled_from(list("ab-]^!*?[\\/.z☺"))


def test_a_glob_of_many_stars_is_matched_in_one_pass() -> None:
    """A .sourceignore is repository input: `a*a*...b` against a long name of a's made each star try every split
    (8 stars, 60 characters: 17 s; 50 stars never ended). Each star now takes up to its chunk's first match."""
    assert glob_match("a*" * 50 + "b", "a" * 250) is False
    assert glob_match("a*" * 50 + "b", "a" * 250 + "b") is True
    assert glob_match("*a*b*c", "xaybzc") is True and glob_match("*a*b*c", "xaybzcd") is False


@settings(max_examples=400, deadline=None)
@given(st.text(GLOB_CHARS, max_size=8), st.text(GLOB_CHARS, max_size=6))
def test_compiled_glob_agrees_with_go_match(pattern: str, name: str) -> None:
    """The regular expression a glob compiles to answers as Go's own algorithm does."""
    try:
        want: bool | None = go_match(pattern, name)
    except BadPattern:
        want = BAD
    assert glob_match(pattern, name) is want


# go-git pattern_test.go: (test name, pattern, domain, path, is_dir, result)
GO_GIT_PATTERN_TESTS = [
    ("SimpleMatch_inclusion", "!vul?ano", None, "value/vulkano/tail", False, INCLUDE),
    ("Match_domainLonger_mismatch", "value", "head/middle/tail", "head/middle", False, NO_MATCH),
    ("Match_domainSameLength_mismatch", "value", "head/middle/tail", "head/middle/tail", False, NO_MATCH),
    ("Match_domainMismatch_mismatch", "value", "head/middle/tail", "head/middle/_tail_/value", False, NO_MATCH),
    ("SimpleMatch_withDomain", "middle/", "value/volcano", "value/volcano/middle/tail", False, EXCLUDE),
    ("SimpleMatch_onlyMatchInDomain_mismatch", "volcano/", "value/volcano", "value/volcano/tail", True, NO_MATCH),
    ("SimpleMatch_atStart", "value", None, "value/tail", False, EXCLUDE),
    ("SimpleMatch_inTheMiddle", "value", None, "head/value/tail", False, EXCLUDE),
    ("SimpleMatch_atEnd", "value", None, "head/value", False, EXCLUDE),
    ("SimpleMatch_atStart_dirWanted", "value/", None, "value/tail", False, EXCLUDE),
    ("SimpleMatch_inTheMiddle_dirWanted", "value/", None, "head/value/tail", False, EXCLUDE),
    ("SimpleMatch_atEnd_dirWanted", "value/", None, "head/value", True, EXCLUDE),
    ("SimpleMatch_atEnd_dirWanted_notADir_mismatch", "value/", None, "head/value", False, NO_MATCH),
    ("SimpleMatch_mismatch", "value", None, "head/val/tail", False, NO_MATCH),
    ("SimpleMatch_valueLonger_mismatch", "val", None, "head/value/tail", False, NO_MATCH),
    ("SimpleMatch_withAsterisk", "v*o", None, "value/vulkano/tail", False, EXCLUDE),
    ("SimpleMatch_withQuestionMark", "vul?ano", None, "value/vulkano/tail", False, EXCLUDE),
    ("SimpleMatch_magicChars", "v[ou]l[kc]ano", None, "value/volcano", False, EXCLUDE),
    ("SimpleMatch_wrongPattern_mismatch", "v[ou]l[", None, "value/vol[", False, NO_MATCH),
    ("GlobMatch_fromRootWithSlash", "/value/vul?ano", None, "value/vulkano/tail", False, EXCLUDE),
    ("GlobMatch_withDomain", "middle/tail/", "value/volcano", "value/volcano/middle/tail", True, EXCLUDE),
    ("GlobMatch_onlyMatchInDomain_mismatch", "volcano/tail", "value/volcano", "value/volcano/tail", False,
     NO_MATCH),
    ("GlobMatch_fromRootWithoutSlash", "value/vul?ano", None, "value/vulkano/tail", False, EXCLUDE),
    ("GlobMatch_fromRoot_mismatch", "value/vulkano", None, "value/volcano", False, NO_MATCH),
    ("GlobMatch_fromRoot_tooShort_mismatch", "value/vul?ano", None, "value", False, NO_MATCH),
    ("GlobMatch_fromRoot_notAtRoot_mismatch", "/value/volcano", None, "value/value/volcano", False, NO_MATCH),
    ("GlobMatch_leadingAsterisks_atStart", "**/*lue/vol?ano", None, "value/volcano/tail", False, EXCLUDE),
    ("GlobMatch_leadingAsterisks_notAtStart", "**/*lue/vol?ano", None, "head/value/volcano/tail", False, EXCLUDE),
    ("GlobMatch_leadingAsterisks_mismatch", "**/*lue/vol?ano", None, "head/value/Volcano/tail", False, NO_MATCH),
    ("GlobMatch_leadingAsterisks_isDir", "**/*lue/vol?ano/", None, "head/value/volcano/tail", False, EXCLUDE),
    ("GlobMatch_leadingAsterisks_isDirAtEnd", "**/*lue/vol?ano/", None, "head/value/volcano", True, EXCLUDE),
    ("GlobMatch_leadingAsterisks_isDir_mismatch", "**/*lue/vol?ano/", None, "head/value/Colcano", True, NO_MATCH),
    ("GlobMatch_leadingAsterisks_isDirNoDirAtEnd_mismatch", "**/*lue/vol?ano/", None, "head/value/volcano", False,
     NO_MATCH),
    ("GlobMatch_tailingAsterisks", "/*lue/vol?ano/**", None, "value/volcano/tail/moretail", False, EXCLUDE),
    ("GlobMatch_tailingAsterisks_exactMatch", "/*lue/vol?ano/**", None, "value/volcano", False, EXCLUDE),
    ("GlobMatch_middleAsterisks_emptyMatch", "/*lue/**/vol?ano", None, "value/volcano", False, EXCLUDE),
    ("GlobMatch_middleAsterisks_oneMatch", "/*lue/**/vol?ano", None, "value/middle/volcano", False, EXCLUDE),
    ("GlobMatch_middleAsterisks_multiMatch", "/*lue/**/vol?ano", None, "value/middle1/middle2/volcano", False,
     EXCLUDE),
    ("GlobMatch_middleAsterisks_isDir_trailing", "/*lue/**/vol?ano/", None, "value/middle1/middle2/volcano", True,
     EXCLUDE),
    ("GlobMatch_middleAsterisks_isDir_trailing_mismatch", "/*lue/**/vol?ano/", None,
     "value/middle1/middle2/volcano", False, NO_MATCH),
    ("GlobMatch_middleAsterisks_isDir", "/*lue/**/vol?ano/", None, "value/middle1/middle2/volcano/tail", False,
     EXCLUDE),
    ("GlobMatch_wrongDoubleAsterisk_mismatch", "/*lue/**foo/vol?ano", None, "value/foo/volcano/tail", False,
     NO_MATCH),
    ("GlobMatch_magicChars", "**/head/v[ou]l[kc]ano", None, "value/head/volcano", False, EXCLUDE),
    ("GlobMatch_wrongPattern_noTraversal_mismatch", "**/head/v[ou]l[", None, "value/head/vol[", False, NO_MATCH),
    ("GlobMatch_wrongPattern_onTraversal_mismatch", "/value/**/v[ou]l[", None, "value/head/vol[", False, NO_MATCH),
    ("GlobMatch_issue_923", "**/android/**/GeneratedPluginRegistrant.java", None,
     "packages/flutter_tools/lib/src/android/gradle.dart", False, NO_MATCH),
]


def _split(path: str | None) -> tuple[str, ...]:
    return tuple(path.split("/")) if path else ()


@pytest.mark.parametrize(("name", "pattern", "domain", "path", "is_dir", "want"), GO_GIT_PATTERN_TESTS,
                         ids=[t[0] for t in GO_GIT_PATTERN_TESTS])
def test_go_git_pattern(name: str, pattern: str, domain: str | None, path: str, is_dir: bool, want: int) -> None:
    assert Pattern.parse(pattern, _split(domain)).match(_split(path), is_dir) == want


def test_go_git_matcher() -> None:
    """matcher_test.go TestMatcher_Match: the last matching pattern decides."""
    ps = [Pattern.parse("**/middle/v[uo]l?ano"), Pattern.parse("!volcano")]
    assert matcher_match(ps, ("head", "middle", "vulkano"), False) is True
    assert matcher_match(ps, ("head", "middle", "volcano"), False) is False


PATTERN_LINES = st.builds(lambda bang, lead, parts, slash: bang + lead + "/".join(parts) + slash,
                          st.sampled_from(["", "!"]), st.sampled_from(["", "/", "**/"]),
                          st.lists(st.sampled_from(["a", "b", "*", "**", "[^a]", "["]), min_size=1, max_size=3),
                          st.sampled_from(["", "/", "/**"]))
PATHS = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4).map(tuple)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PATTERN_LINES, st.sampled_from([(), ("a",), ("b", "a")])), max_size=6),
       st.lists(st.tuples(PATHS, st.booleans()), min_size=1, max_size=8))
def test_tree_walk_shortcut_agrees_with_go_git_matcher(lines: list, paths: list) -> None:
    """ArtifactFilter skips what a folder already settles; it must answer exactly as go-git's Matcher."""
    patterns = [Pattern.parse(line, domain) for line, domain in lines]
    f = ArtifactFilter(patterns)
    for path, is_dir in paths:
        assert f.excludes("/".join(path), is_dir) == matcher_match(f.patterns, path, is_dir), (lines, path, is_dir)



@settings(max_examples=200, deadline=None)
@given(PATTERN_LINES, st.sampled_from([(), ("a",), ("b", "a")]), PATHS, st.booleans())
def test_literal_parts_only_shortcut_glob_matching(line: str, domain: tuple, path: tuple, is_dir: bool) -> None:
    """A glob pattern says no early when a part without glob characters names no component of the path;
    without that shortcut it answers the same."""
    p = Pattern.parse(line, domain)
    assert p.match(path, is_dir) == p._replace(literals=()).match(path, is_dir), (line, domain, path)


# fluxcd/pkg sourceignore_test.go TestReadPatterns: (ignore text, domain, matches, mismatches)
READ_PATTERNS_TESTS = [
    ("ignore-dir/*\n!ignore-dir/include\n", None, ["ignore-dir/file.yaml"], ["file.yaml", "ignore-dir/include"]),
    ("ignore-dir/*\n# !ignore-dir/include", None, ["ignore-dir/file.yaml", "ignore-dir/include"], []),
    ("ignore-dir/*", "domain/scoped", ["domain/scoped/ignore-dir/file.yaml"], ["ignore-dir/file.yaml"]),
]


@pytest.mark.parametrize(("text", "domain", "matches", "mismatches"), READ_PATTERNS_TESTS)
def test_flux_read_patterns(text: str, domain: str | None, matches: list[str], mismatches: list[str]) -> None:
    ps = read_patterns(text, _split(domain))
    assert all(matcher_match(ps, _split(m), False) for m in matches)
    assert not any(matcher_match(ps, _split(m), False) for m in mismatches)


def test_flux_default_and_vcs_patterns() -> None:
    """sourceignore_test.go TestVCSPatterns/TestDefaultPatterns, through SourceIgnoreFilter (no patterns read)."""
    f = ArtifactFilter([])
    for rel in (".git/config", ".gitignore", "image.jpg", "archive.tar.gz", ".github/workflows/workflow.yaml",
                "subdir/.flux.yaml", "subdir2/.sops.yaml"):
        assert f.excludes(rel, False), rel
    for rel in ("workload.yaml", "workload.yml", "simple.txt"):
        assert not f.excludes(rel, False), rel
    # NewDefaultMatcher([!*.jpg]) lets image.jpg through: patterns rank above the defaults
    assert not matcher_match(f.patterns + tuple(read_patterns("!*.jpg")), ("image.jpg",), False)


def test_flux_load_ignore_patterns_every_folder(tmp_path: Path) -> None:
    """sourceignore_test.go TestLoadExcludePatterns: every folder's .sourceignore, scoped, root first, name order."""
    files = {".sourceignore": "root.txt", "d/.gitignore": "ignored", "z/.sourceignore": "last.txt",
             "a/b/.sourceignore": "subdir.txt", "e/last.txt": "foo", "a/c/subdir.txt": "bar"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    got = [(p.text, p.domain) for p in load_ignore_patterns(ConfinedDir(tmp_path))]
    assert got == [("root.txt", ()), ("subdir.txt", ("a", "b")), ("last.txt", ("z",))]


# -- 2. source-controller's artifact, through Repo --------------------------------------------------------
def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_anchored_star_then_negation_keeps_the_folder(tmp_path: Path) -> None:
    """The issue's case: `/*` then `!/kubernetes` leaves exactly kubernetes/ (fnmatch used to leave nothing)."""
    _tree(tmp_path, {".sourceignore": "/*\n!/kubernetes\n", "kubernetes/apps/a.yaml": "", "kubernetes/b.yaml": "",
                     "docs/c.yaml": "", "d.yaml": ""})
    assert Repo(tmp_path).walk_yaml() == ["kubernetes/apps/a.yaml", "kubernetes/b.yaml"]


def test_trailing_double_star_excludes_nothing(tmp_path: Path) -> None:
    """KevinNitroG/homelab: `/**` then `!/kubernetes/`. In go-git `/**` matches no path, so all stays in."""
    _tree(tmp_path, {".sourceignore": "/**\n!/kubernetes/\n", "kubernetes/a.yaml": "", "kubernetes-later/b.yaml": "",
                     "c.yaml": ""})
    assert Repo(tmp_path).walk_yaml() == ["c.yaml", "kubernetes/a.yaml", "kubernetes-later/b.yaml"]


def test_defaults_apply_only_without_patterns(tmp_path: Path) -> None:
    """SourceIgnoreFilter: with any pattern read, only the VCS patterns stay; `.github/`, `.sops.yaml` come back."""
    _tree(tmp_path, {".github/w.yaml": "", ".sops.yaml": "", "apps/a.yaml": "", "apps/b.tmp.yaml": "",
                     "apps/keep.tmp.yaml": "", "scratch/c.yaml": ""})
    assert Repo(tmp_path).walk_yaml() == ["apps/a.yaml", "apps/b.tmp.yaml", "apps/keep.tmp.yaml", "scratch/c.yaml"]
    (tmp_path / ".sourceignore").write_text("# comment\nscratch/\n*.tmp.yaml\n!keep.tmp.yaml\n")
    assert Repo(tmp_path).walk_yaml() == [".github/w.yaml", ".sops.yaml", "apps/a.yaml", "apps/keep.tmp.yaml"]
    (tmp_path / ".sourceignore").write_text("# only a comment\n\n")
    assert ".github/w.yaml" not in Repo(tmp_path).walk_yaml()


def test_nested_sourceignore_is_scoped_to_its_folder(tmp_path: Path) -> None:
    _tree(tmp_path, {"apps/.sourceignore": "/local.yaml\ntmp/\n", "apps/local.yaml": "", "apps/x/local.yaml": "",
                     "apps/tmp/a.yaml": "", "local.yaml": "", "tmp/b.yaml": ""})
    assert Repo(tmp_path).walk_yaml() == ["apps/x/local.yaml", "local.yaml", "tmp/b.yaml"]


def test_spec_ignore_ranks_above_files(tmp_path: Path) -> None:
    _tree(tmp_path, {".sourceignore": "drafts/\n", "drafts/a.yaml": "", "apps/b.yaml": "", "apps/c.yaml": ""})
    repo = Repo(tmp_path)
    assert repo.walk_yaml() == ["apps/b.yaml", "apps/c.yaml"]
    view = repo.with_ignore("!drafts/\napps/c.yaml\n")
    assert view.walk_yaml() == ["apps/b.yaml", "drafts/a.yaml"]
    assert view.cache is repo.cache and view.read is repo.read


SYNC_WITH_IGNORE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec:
  interval: 1m
  url: https://example.com/repo
  ref: {branch: main}
  ignore: |
    # the drafts never reach the artifact
    /clusters/home/drafts/
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, path: ./clusters/home, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
"""


@pytest.mark.parametrize("ignore", [True, False])
def test_entry_source_spec_ignore_shapes_the_build(tmp_path: Path, ignore: bool) -> None:
    """The bootstrap GitRepository's spec.ignore leaves drafts/ out of what the root Kustomization applies."""
    sync = SYNC_WITH_IGNORE if ignore else SYNC_WITH_IGNORE.replace("ignore: |", "x-note: |")
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {}, namespace: default}}\n"
    _tree(tmp_path, {"clusters/home/flux-system/gotk-sync.yaml": sync, "clusters/home/cm.yaml": cm.format("kept"),
                     "clusters/home/drafts/cm.yaml": cm.format("draft")})
    (cluster,) = build_model(tmp_path).clusters
    root = cluster.kustomizations["flux-system/flux-system"]
    assert sorted(r.name for r in root.resources if r.kind == "ConfigMap") == (["kept"] if ignore else ["draft", "kept"])


def test_excluded_folder_still_holds_reincluded_files(tmp_path: Path) -> None:
    """The archive walk matches each file on its own: `*` then `!*.yaml` keeps YAML below excluded folders."""
    _tree(tmp_path, {".sourceignore": "*\n!*.yaml\n", "apps/a.yaml": "", "apps/notes.txt": "", "empty/x.txt": ""})
    repo = Repo(tmp_path)
    assert repo.walk_yaml() == ["apps/a.yaml"]
    assert not repo.ignored("apps", True) and repo.ignored("empty", True)
    assert repo.ignored("apps/notes.txt") and repo.listdir("apps") == [("a.yaml", False)]
    assert not repo.ignored(".")


def test_sourceignore_symlink_outside_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _tree(outside, {"ignore": "*.yaml\n"})
    repo_root = tmp_path / "repo"
    _tree(repo_root, {"a.yaml": ""})
    os.symlink(outside / "ignore", repo_root / ".sourceignore")
    assert Repo(repo_root).walk_yaml() == ["a.yaml"]


def test_lines_are_read_as_go_scanner_reads_them() -> None:
    """ReadPatterns: CRLF endings drop the CR, `#` starts a comment only in column 1, blank lines are skipped."""
    ps = read_patterns(b"a.yaml\r\n  \r\n #b.yaml\n\\#c.yaml\n#d.yaml\n")
    assert [p.text for p in ps] == ["a.yaml", " #b.yaml", "\\#c.yaml"]
    assert [p.origin for p in read_patterns("x\n\ny\n", (), "f")] == ["f:1", "f:3"]
    assert matcher_match(ps, ("#c.yaml",), False) and not matcher_match(ps, ("#b.yaml",), False)
    long_line = b"x" * (64 * 1024) + b"\n"
    assert [p.text for p in read_patterns(b"a\n" + long_line + b"b\n")] == ["a"]


# -- 3. go-git against git ---------------------------------------------------------------------------------
DIFF_DIRS = ("a", "a/b", "b", "b/a", "kubernetes", "kubernetes/apps", "abd", ".hidden", "c", "docs")
DIFF_FILES = ("x.yaml", "x.yml", "abc", "a/x.yaml", "a/b/c.yaml", "a/b/x.yaml", "b/a/x.yaml", "c/a",
              "kubernetes/apps/x.yaml", "kubernetes/x.yaml", "abd/abc", ".hidden/x.yaml",
              "!bang", "#hash", "sp ace", "trail ", "]", "-", "README.md", "docs/readme.md")
DIFF_PATHS = frozenset(DIFF_DIRS + DIFF_FILES)
A_TREE = frozenset(p for p in DIFF_PATHS if p == "a" or p.startswith("a/"))

# Ignore files (folder holding them, raw content). Each is matched over DIFF_PATHS by go-git and by git.
IGNORE_FILES: list[tuple[str, bytes]] = [("", f"{s}\n".encode()) for s in (
    "x.yaml", "/x.yaml", "*.yaml", "/*.yaml", "a", "a/", "/a", "/a/", "a/b", "a/b/", "a/*", "a/*/",
    "a/**", "a/**/", "/a/**", "**/a", "**/a/", "**/b/x.yaml", "a/**/x.yaml", "a/**/c.yaml", "**", "/**",
    "**/", "*", "/*", "*/", "?.yaml", "[ab]", "[!a]bc", "[^a]bc", "ab[c-]", "[]]", "[]a]", "\\!bang", "\\#hash",
    "#hash", "trail\\ ", "trail ", "trail", "sp ace", "sp\\ ace", "a//b", "**/x.yaml", "x.yaml/", "*.yaml/", "abc/",
    "ab*", "a*c", "**foo", "a/**b", "a**", "kubernetes/apps", "apps", "apps/x.yaml", "\\", "ab\\", "a/b/c.yaml/",
    "*/x.yaml", "**/**/x.yaml", "/**/x.yaml", "a/**/**", "[a-c]bd", "\\a", "a\\/b", "doc?/", "**/docs/**", "!a",
    "/*\n!/kubernetes", "/**\n!/kubernetes/", "/*\n!/kubernetes/", "*\n!*.yaml", "*\n!*/", "*.yaml\n!a/*.yaml",
    "a/\n!a/x.yaml", "a/*\n!a/b/", "/a/\n!/a/b/c.yaml", "**/a\n!b/a", "*\n!kubernetes\n!kubernetes/**",
    "a/**\n!a/b/**", "*.yaml\n!x.yaml", "kubernetes/\n!kubernetes/apps/", "/*\n!/kubernetes\n/kubernetes/apps",
    "*.yaml\n!a/", "a\n!a/b", "!x.yaml\nx.yaml", "a/b/**\n!a/b/x.yaml",
)] + [("", b"\xef\xbb\xbfx.yaml\n"), ("", b"x.yaml\r\n"), ("", b"x.yaml \n"), ("", b"x.yaml\t\n"),
      ("", b" x.yaml\n")] + [("a", f"{s}\n".encode()) for s in (
    "/x.yaml", "x.yaml", "b/", "/b", "**/x.yaml", "*\n!b/", "/**", "b/**", "../x.yaml")]

# Every (ignore file -> paths only go-git excludes, paths only git excludes). Anything else agrees.
EXPECTED_DIFFERENCES: dict[tuple[str, bytes], tuple[frozenset[str], frozenset[str]]] = {
    # go-git: a trailing "**" adds nothing, so "a/**" is "a" anchored (the folder itself, and a *file* named a);
    # "/**" has nothing left and matches no path at all (KevinNitroG/homelab's `.sourceignore`).
    ("", b"a/**\n"): (frozenset({"a"}), frozenset()),
    ("", b"/a/**\n"): (frozenset({"a"}), frozenset()),
    ("", b"a/**/**\n"): (frozenset({"a"}), frozenset()),
    ("", b"a/**/\n"): (frozenset({"a", "a/x.yaml"}), frozenset()),  # "a/" dir-only, but a/x.yaml lies below
    ("", b"**/docs/**\n"): (frozenset({"docs"}), frozenset()),
    ("", b"a/b/**\n!a/b/x.yaml\n"): (frozenset({"a/b"}), frozenset()),
    ("a", b"b/**\n"): (frozenset({"a/b"}), frozenset()),
    ("", b"/**\n"): (frozenset(), DIFF_PATHS),
    ("", b"/**\n!/kubernetes/\n"): (frozenset(), DIFF_PATHS - {"kubernetes"}),
    ("a", b"/**\n"): (frozenset(), A_TREE - {"a"}),
    ("", b"a/**\n!a/b/**\n"): (frozenset({"a"}), frozenset({"a/b", "a/b/c.yaml", "a/b/x.yaml"})),
    # Go's filepath.Match: "[!a]" is the class {!, a} ("^" negates); "[c-]", "[]]", "[]a]" are malformed and
    # match nothing; "\/" is a trailing backslash once go-git has split the line on "/".
    ("", b"[!a]bc\n"): (frozenset({"abc", "abd/abc"}), frozenset()),
    ("", b"ab[c-]\n"): (frozenset(), frozenset({"abc", "abd/abc"})),
    ("", b"[]]\n"): (frozenset(), frozenset({"]"})),
    ("", b"[]a]\n"): (frozenset(), A_TREE | {"]", "b/a", "b/a/x.yaml", "c/a"}),
    ("", b"a\\/b\n"): (frozenset(), frozenset({"a/b", "a/b/c.yaml", "a/b/x.yaml"})),
    # go-git splits on "/" and skips empty parts ("a//b" is "a/b"); a part holding "**" among other characters
    # never matches, where git reads "**b" as "*b".
    ("", b"a//b\n"): (frozenset({"a/b", "a/b/c.yaml", "a/b/x.yaml"}), frozenset()),
    ("", b"a/**b\n"): (frozenset(), frozenset({"a/b", "a/b/c.yaml", "a/b/x.yaml"})),
    # git cannot re-include below an excluded folder; go-git matches each path on its own, and a name
    # pattern (no "/") matches any folder on the path, so "!a/" re-includes everything under any folder a.
    ("", b"*\n!*.yaml\n"): (frozenset(), frozenset({".hidden/x.yaml", "a/b/c.yaml", "a/b/x.yaml", "a/x.yaml",
                                                     "b/a/x.yaml", "kubernetes/apps/x.yaml", "kubernetes/x.yaml"})),
    ("", b"*\n!*/\n"): (frozenset(), frozenset({".hidden/x.yaml", "a/b/c.yaml", "a/b/x.yaml", "a/x.yaml", "abd/abc",
                                                 "b/a/x.yaml", "c/a", "docs/readme.md", "kubernetes/apps/x.yaml",
                                                 "kubernetes/x.yaml"})),
    ("", b"a/\n!a/x.yaml\n"): (frozenset(), frozenset({"a/x.yaml"})),
    ("", b"/a/\n!/a/b/c.yaml\n"): (frozenset(), frozenset({"a/b/c.yaml"})),
    ("", b"kubernetes/\n!kubernetes/apps/\n"): (frozenset(), frozenset({"kubernetes/apps", "kubernetes/apps/x.yaml"})),
    ("", b"*.yaml\n!a/\n"): (frozenset(), frozenset({"a/b/c.yaml", "a/b/x.yaml", "a/x.yaml", "b/a/x.yaml"})),
    ("", b"a\n!a/b\n"): (frozenset(), frozenset({"a/b", "a/b/c.yaml", "a/b/x.yaml"})),
    ("a", b"*\n!b/\n"): (frozenset(), frozenset({"a/b/c.yaml", "a/b/x.yaml"})),
    # git skips a UTF-8 byte order mark at the start of an ignore file; go-git keeps it in the first pattern.
    ("", b"\xef\xbb\xbfx.yaml\n"): (frozenset(), frozenset({"x.yaml", ".hidden/x.yaml", "a/b/x.yaml", "a/x.yaml",
                                                             "b/a/x.yaml", "kubernetes/apps/x.yaml",
                                                             "kubernetes/x.yaml"})),
}


def _git_env(home: Path) -> dict[str, str]:
    return dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home), GIT_CONFIG_NOSYSTEM="1",
                GIT_CONFIG_GLOBAL=os.devnull)


def differences(tree: Path) -> dict[tuple[str, bytes], tuple[frozenset[str], frozenset[str]]]:
    """Where ``git check-ignore --no-index`` and go-git disagree, per ignore file, over a real tree at ``tree``."""
    env = _git_env(tree.parent)
    subprocess.run(["git", "init", "-q", str(tree)], check=True, env=env)
    for d in DIFF_DIRS:
        (tree / d).mkdir(parents=True, exist_ok=True)
    for f in DIFF_FILES:
        (tree / f).write_text("")
    paths = sorted(DIFF_PATHS)
    found = {}
    for folder, content in IGNORE_FILES:
        ignore_file = tree / folder / ".gitignore" if folder else tree / ".git" / "info" / "exclude"
        ignore_file.write_bytes(content)
        run = subprocess.run(["git", "-C", str(tree), "check-ignore", "--no-index", "--stdin", "-z"],
                             input="\0".join(paths).encode(), capture_output=True, env=env, check=False)
        ignore_file.unlink()
        assert run.returncode in (0, 1), run.stderr.decode()
        by_git = set(run.stdout.decode().split("\0")) - {""}
        patterns = read_patterns(content, tuple(folder.split("/")) if folder else ())
        by_go_git = {p for p in paths if matcher_match(patterns, tuple(p.split("/")), p in DIFF_DIRS)}
        if by_git != by_go_git:
            found[(folder, content)] = (frozenset(by_go_git - by_git), frozenset(by_git - by_go_git))
    return found


def test_tree_walk_shortcut_on_every_differential_case() -> None:
    """The same agreement as above, exhaustively over the differential's ignore files and tree."""
    for folder, content in IGNORE_FILES:
        f = ArtifactFilter(read_patterns(content, tuple(folder.split("/")) if folder else ()))
        for path in DIFF_PATHS:
            parts, is_dir = tuple(path.split("/")), path in DIFF_DIRS
            assert f.excludes(path, is_dir) == matcher_match(f.patterns, parts, is_dir), (content, path)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_go_git_against_git_check_ignore(tmp_path: Path) -> None:
    """The documented list of differences is exactly what git and the port disagree on, no more, no less."""
    assert differences(tmp_path / "tree") == EXPECTED_DIFFERENCES
