"""A lock file or source-basis index of garbage, deep nesting or wrong types: `stamp`/`check` exit 2 with a
message naming the file (never a traceback, never exit 1 "stale"); the MkDocs build warns and goes on."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from flux_wiki.load.confine import MAX_FILE_BYTES

from ..support import CliResult, run_cli
from .harness import write_wiki
from .test_harness import MINI, write_repo

BASIS = "roots:\n  repo: ../../repo\npages:\n  index.md:\n    sources: ['repo:apps/*']\n"
PAGE = "---\nsource_basis: ['repo:apps/svc.yaml']\n---\n# Home\n"
GOOD_LOCK = '{"version": 1, "pages": {}}\n'


@pytest.fixture
def wiki(tmp_path: Path) -> Path:
    repo = write_repo(tmp_path / "repo", MINI)
    wiki = write_wiki(tmp_path, repo, source_basis="data/source-basis.yaml")
    write_repo(wiki, {"docs/index.md": PAGE, "data/source-basis.yaml": BASIS, "data/flux-wiki.lock": GOOD_LOCK})
    return wiki


def put(path: Path, content: bytes | str) -> None:
    """Write ``content``; the special values "<fifo>", "<dev-zero>" and "<huge>" make that kind of file."""
    path.unlink(missing_ok=True)
    if content == "<fifo>":
        os.mkfifo(path)
    elif content == "<dev-zero>":
        os.symlink("/dev/zero", path)
    elif content == "<huge>":
        with open(path, "wb") as fh:
            fh.truncate(MAX_FILE_BYTES + 1)
    else:
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def cli(wiki: Path, *args: str) -> CliResult:
    return run_cli([*args, "--config-file", str(wiki / "mkdocs.yml")])


def assert_config_error(result: CliResult, name: str, line: int | None = None) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "error:" in result.output and name in result.output, result.output
    if line is not None:
        assert f"{name}:{line}:" in result.output, result.output


GARBAGE_LOCKS = {
    "binary": (b"\x00\xff\xfe\x89PNG garbage", None),
    "not-utf8": (b'{"version": 1,\n "pages": {"\xff": {}}}', 2),
    "not-json": ("{\n  \"pages\": {,\n}", 2),
    "deep-nesting": ("[" * 100_000 + "]" * 100_000, None),
    "deep-in-sources": ('{"pages": {"index.md": {"sources": ' + "[" * 500 + "]" * 500 + "}}}", 1),
    "huge-number": ('{"pages": {}, "n": ' + "9" * 50_000 + "}", None),
    "top-level-list": ("[]", None),
    "pages-list": ('{"pages": [1]}', None),
    "page-string": ('{"pages": {"index.md": "x"}}', None),
    "sources-int": ('{"version": 1,\n"pages": {"index.md": {"sources": 5}}}', 2),
    "sha-int": ('{"pages": {"index.md": {"files": {"repo:apps/svc.yaml": {"sha256": 5}}}}}', None),
    "blob-option": ('{"pages": {"index.md": {"files": {"repo:apps/svc.yaml": '
                    '{"sha256": "' + "0" * 64 + '", "git_blob": "--batch-all-objects"}}}}}', None),
    "version": ('{"version": 99, "pages": {}}', None),
    "fifo": ("<fifo>", None),
    "dev-zero": ("<dev-zero>", None),
    "huge": ("<huge>", None),
}


@pytest.mark.parametrize("command", ["check", "stamp"])
@pytest.mark.parametrize("case", sorted(GARBAGE_LOCKS))
def test_garbage_lock_file_is_exit_2_naming_the_file(wiki: Path, case: str, command: str) -> None:
    content, line = GARBAGE_LOCKS[case]
    put(wiki / "data" / "flux-wiki.lock", content)
    result = cli(wiki, command, *(["--all"] if command == "stamp" else []))
    assert_config_error(result, "flux-wiki.lock", line)


GARBAGE_BASIS = {
    "binary": (b"\x00\xff\xfe\x89PNG garbage", None),
    "not-utf8": (b"roots:\n  repo: ../../repo\n  \xff: x\n", 3),
    "not-yaml": ("roots: {\npages: [\n", None),
    "deep-nesting": ("pages: " + "[" * 5000 + "]" * 5000 + "\n", None),
    "deep-in-sources": ("pages:\n  index.md:\n    sources: " + "[" * 500 + "]" * 500 + "\n", 3),  # YAML's nesting bound
    "top-level-list": ("- 1\n", None),
    "roots-list": ("roots: [1]\n", 1),
    "root-path-list": ("roots:\n  repo: {path: [1]}\n", 2),
    "root-url-map": ("roots:\n  repo: {path: ../../repo, url: {a: 1}}\n", 2),
    "pages-list": ("roots:\n  repo: ../../repo\npages: [1]\n", 3),
    "sources-int": ("pages:\n  index.md:\n    sources: 5\n", 2),
    "sources-mappings": ("pages:\n  index.md:\n    sources: [{a: 1}]\n", 2),
    "fifo": ("<fifo>", None),
    "dev-zero": ("<dev-zero>", None),
    "huge": ("<huge>", None),
}


@pytest.mark.parametrize("case", sorted(GARBAGE_BASIS))
def test_garbage_source_basis_is_exit_2_naming_the_file(wiki: Path, case: str) -> None:
    content, line = GARBAGE_BASIS[case]
    put(wiki / "data" / "source-basis.yaml", content)
    for command in (["check"], ["stamp", "--all"]):
        assert_config_error(cli(wiki, *command), "source-basis.yaml", line)


def build_with_warnings(wiki: Path, site: Path, caplog: pytest.LogCaptureFixture, command: str = "build") -> list[str]:
    """A non-strict build (as `mkdocs build`/`serve` run it); the warnings it logged."""
    caplog.set_level(logging.WARNING)
    cfg = load_config(str(wiki / "mkdocs.yml"), site_dir=str(site), strict=False)
    cfg.plugins.on_startup(command=command, dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("case", ["binary", "root-url-map", "fifo"])
def test_garbage_source_basis_is_a_build_warning(wiki: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                 case: str) -> None:
    put(wiki / "data" / "source-basis.yaml", GARBAGE_BASIS[case][0])
    warnings = build_with_warnings(wiki, tmp_path / "site", caplog)
    assert any("source-basis.yaml" in w for w in warnings), warnings
    assert (tmp_path / "site" / "index.html").is_file()


def test_garbage_lock_file_is_a_serve_warning(wiki: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    put(wiki / "data" / "flux-wiki.lock", GARBAGE_LOCKS["deep-nesting"][0])
    warnings = build_with_warnings(wiki, tmp_path / "site", caplog, command="serve")
    assert any("flux-wiki.lock" in w and "not a flux-wiki lock file" in w for w in warnings), warnings
