"""The disk cache serves only what this user's flux-wiki wrote: a planted entry, a link to a file outside the
repository, a tampered entry or one signed with another key is ignored (rendered anew and overwritten), and
nothing of it reaches a page. Counted, not timed."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
import yaml

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import wiki_config_from_mkdocs
from flux_wiki.render.svg import find_engine
from flux_wiki.signed_cache import KEY_FILE, SignedCache, load_key, user_cache_dir

from ..support import build_site, two_cluster_wiki

CANARY = "CANARY-7f3e-outside-the-root"
PLANTED = f'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("{CANARY}")</script></svg>'
NAME = "ab" * 32


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """A file outside every repository and cache folder that must never be read into an output."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(CANARY)
    return path


def _cache(folder: Path, **kw: object) -> SignedCache:
    return SignedCache(folder, ".svg", **kw)  # type: ignore[arg-type]


# --- the signed cache itself ------------------------------------------------------------------------------


def test_a_genuine_entry_is_served(tmp_path: Path) -> None:
    cache = _cache(tmp_path / "c")
    assert cache.get(NAME) is None and cache.misses == 1
    cache.put(NAME, b"<svg/>")
    again = _cache(tmp_path / "c")  # another process, the same user
    assert again.get(NAME) == b"<svg/>" and again.hits == 1 and again.rejected == 0


def test_a_planted_file_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / f"{NAME}.svg").write_text(PLANTED)
    cache = _cache(tmp_path / "c")
    with caplog.at_level(logging.DEBUG):
        assert cache.get(NAME) is None
    assert cache.rejected == 1
    assert [r.levelno for r in caplog.records if "ignored" in r.getMessage()] == [logging.DEBUG]


def test_a_planted_link_is_not_followed(tmp_path: Path, canary: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / f"{NAME}.svg").symlink_to(canary)
    cache = _cache(tmp_path / "c")
    assert cache.get(NAME) is None and cache.rejected == 1
    cache.put(NAME, b"<svg/>")  # the entry replaces the link; the file it pointed to is untouched
    assert not (tmp_path / "c" / f"{NAME}.svg").is_symlink() and canary.read_text() == CANARY
    assert cache.get(NAME) == b"<svg/>"


def test_a_link_to_a_genuine_entry_is_not_followed(tmp_path: Path) -> None:
    cache = _cache(tmp_path / "c")
    cache.put(NAME, b"<svg/>")
    other = "cd" * 32
    (tmp_path / "c" / f"{other}.svg").symlink_to(tmp_path / "c" / f"{NAME}.svg")
    assert cache.get(other) is None and cache.rejected == 1


def test_a_tampered_entry_is_ignored(tmp_path: Path) -> None:
    cache = _cache(tmp_path / "c")
    cache.put(NAME, b"<svg>honest</svg>")
    path = tmp_path / "c" / f"{NAME}.svg"
    path.write_bytes(path.read_bytes().replace(b"honest", b"lying!"))
    assert cache.get(NAME) is None and cache.rejected == 1
    path.write_bytes(path.read_bytes()[:30])  # cut short: the MAC line alone
    assert cache.get(NAME) is None and cache.rejected == 2


def test_an_entry_moved_to_another_name_is_ignored(tmp_path: Path) -> None:
    cache = _cache(tmp_path / "c")
    cache.put(NAME, b"<svg>for another diagram</svg>")
    other = "cd" * 32
    os.rename(tmp_path / "c" / f"{NAME}.svg", tmp_path / "c" / f"{other}.svg")
    assert cache.get(other) is None and cache.rejected == 1


def test_an_entry_of_another_key_is_ignored(tmp_path: Path) -> None:
    _cache(tmp_path / "c", key=b"k" * 32).put(NAME, b"<svg/>")  # another user's or another machine's flux-wiki
    cache = _cache(tmp_path / "c")
    assert cache.get(NAME) is None and cache.rejected == 1


def test_a_fifo_is_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    os.mkfifo(tmp_path / "c" / f"{NAME}.svg")
    assert _cache(tmp_path / "c").get(NAME) is None


def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "c").symlink_to(tmp_path / "elsewhere")
    cache = _cache(tmp_path / "c")
    cache.put(NAME, b"<svg/>")
    assert cache.get(NAME) is None and not list((tmp_path / "elsewhere").iterdir())


def test_names_are_digests_never_paths(tmp_path: Path) -> None:
    cache = _cache(tmp_path / "c")
    cache.put("../../escape", b"x")
    assert not list(tmp_path.rglob("*escape*")) and cache.get("../../escape") is None


def test_the_key_is_private_and_checked(tmp_path: Path) -> None:
    key = load_key(tmp_path / "k")
    folder, file = os.stat(tmp_path / "k"), os.stat(tmp_path / "k" / KEY_FILE)
    assert stat.S_IMODE(folder.st_mode) == 0o700 and stat.S_IMODE(file.st_mode) == 0o600
    assert load_key(tmp_path / "k") == key  # made once, then read
    (tmp_path / "k" / KEY_FILE).chmod(0o644)  # readable by others: no longer a secret
    assert load_key(tmp_path / "k") != key
    (tmp_path / "k" / KEY_FILE).unlink()
    (tmp_path / "k" / KEY_FILE).symlink_to(tmp_path / "planted-key")
    (tmp_path / "planted-key").write_bytes(b"p" * 32)
    assert load_key(tmp_path / "k") != b"p" * 32 and not (tmp_path / "k" / KEY_FILE).is_symlink()
    (tmp_path / "linked").symlink_to(tmp_path / "k")
    with pytest.raises(OSError):
        load_key(tmp_path / "linked")


# --- through a build --------------------------------------------------------------------------------------


def _wiki(root: Path, **options: object) -> Path:
    wiki = two_cluster_wiki(root)
    config = {"site_name": "x", "plugins": [{"flux-wiki": {"repo": "data/gitops", "history": 0, **options}}]}
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return wiki


def _compile(wiki: Path) -> tuple[WikiCompiler, str]:
    compiler = WikiCompiler()
    compiled = compiler.compile(wiki_config_from_mkdocs(wiki / "mkdocs.yml"))
    return compiler, "\n".join(p.markdown for p in compiled.pages)


def test_a_repository_cannot_plant_diagrams_in_a_project_cache(tmp_path: Path, canary: Path) -> None:
    """A pull request adds (``git add -f``) files under the project's cache_dir, one per diagram: a script, a
    link to a file outside the repository, an entry flux-wiki wrote for another diagram; none is used."""
    if find_engine() is None:
        pytest.skip("no Graphviz engine")
    wiki = _wiki(tmp_path / "wiki", cache_dir=".cache/flux-wiki")
    compiler, honest = _compile(wiki)
    entries = sorted((wiki / ".cache" / "flux-wiki").glob("*.svg"))
    assert len(entries) >= 3 and compiler.svg.renders == len(entries)
    swapped = entries[1].read_bytes()
    entries[0].write_text(PLANTED)
    entries[1].unlink()
    entries[1].symlink_to(canary)
    entries[2].write_bytes(swapped)  # genuine, but signed for another diagram
    compiler, markdown = _compile(wiki)
    assert compiler.svg.renders == 3 and markdown == honest and CANARY not in markdown
    assert not entries[1].is_symlink()  # overwritten by a genuine entry
    compiler, markdown = _compile(wiki)
    assert compiler.svg.renders == 0 and markdown == honest  # the entries written anew are reused
    for entry in entries[:3]:
        entry.unlink()
        entry.write_text(PLANTED)
    site = build_site(wiki, tmp_path / "site")
    assert not any(CANARY in p.read_text(errors="replace") for p in site.rglob("*") if p.is_file())


def test_a_linked_cache_dir_in_the_project_is_not_used(tmp_path: Path) -> None:
    wiki = _wiki(tmp_path / "wiki", cache_dir=".cache/flux-wiki")
    (tmp_path / "elsewhere").mkdir()
    (wiki / ".cache").symlink_to(tmp_path / "elsewhere")  # would send what the cache writes out of the project
    assert wiki_config_from_mkdocs(wiki / "mkdocs.yml").cache_dir is None


def test_the_default_cache_is_the_users_own(tmp_path: Path) -> None:
    if find_engine() is None:
        pytest.skip("no Graphviz engine")
    wiki = _wiki(tmp_path / "wiki")
    compiler, _ = _compile(wiki)
    assert compiler.svg.cache_dir == user_cache_dir() and list(user_cache_dir().glob("*.svg"))
    assert stat.S_IMODE(os.stat(user_cache_dir()).st_mode) == 0o700 and not (wiki / ".cache").exists()
    again, _ = _compile(wiki)
    assert again.svg.renders == 0
