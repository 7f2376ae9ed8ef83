"""`mkdocs serve` rebuilds do not list again the folders left alone since the last one (issue 14): a folder whose
identity (device, inode, mtime, ctime) is the same is answered from the listing kept; anything added, removed,
renamed or retargeted in it, or a file grown over the size cap, is seen. Counters, never time; every answer equals
a cold snapshot's."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import pytest

from flux_wiki.load import ParseCache, Repo
from flux_wiki.load.confine import ConfinedDir
from flux_wiki.load.sourceignore import load_ignore_patterns

OLD = time.time() - 3600  # folders last changed an hour ago: settled, so their listings are kept


def settle(root: Path) -> None:
    """Back-date every folder below ``root`` (and ``root``), as a checkout left alone for an hour is."""
    for folder, dirs, _ in os.walk(root):
        for name in dirs:
            os.utime(os.path.join(folder, name), (OLD, OLD), follow_symlinks=False)
    os.utime(root, (OLD, OLD))
    time.sleep(0.02)  # a change made next gets a later ctime than the one kept, whatever the clock's grain


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("kind: Secret\n")
    root = tmp_path / "root"
    for folder in ("apps/a", "apps/b", "base"):
        (root / folder).mkdir(parents=True)
    (root / "apps/a/one.yaml").write_text("kind: A\n")
    (root / "apps/b/two.yaml").write_text("kind: B\n")
    (root / "base/t.yaml").write_text("kind: T\n")
    (root / "apps/b/.sourceignore").write_text("skip.yaml\n")
    (root / "apps/b/skip.yaml").write_text("kind: Skip\n")
    os.symlink("../../base/t.yaml", root / "apps/a/link.yaml")
    settle(root)
    return root


def answers(files: ConfinedDir) -> tuple[Any, ...]:
    """Everything a walk and the ignore rules see, with the problems noted on the way."""
    walked = [(rel, e.kind, e.reason) for rel, e in files.walk()]
    return walked, files.problems, [(p.domain, p.text) for p in load_ignore_patterns(files)]


def snapshots(root: Path, **limits: Any) -> tuple[Callable[[], ConfinedDir], Counter[str]]:
    kept: dict[Any, Any] = {}
    counts: Counter[str] = Counter()
    return lambda: ConfinedDir(root, snapshot=True, kept=kept, counts=counts, **limits), counts


FOLDERS = 5  # the root, apps, apps/a, apps/b, base


def test_a_snapshot_of_an_unchanged_tree_lists_no_folder_again(tree: Path) -> None:
    snapshot, counts = snapshots(tree)
    first = answers(snapshot())
    assert counts["folders listed"] == counts["folders scanned"] == FOLDERS
    assert answers(snapshot()) == first == answers(ConfinedDir(tree, snapshot=True))
    assert counts["folders listed"] == counts["folders scanned"] == FOLDERS  # none again
    assert counts["folder listings kept"] == counts["folder scans kept"] == FOLDERS


def rename(root: Path) -> None:
    (root / "apps/a/one.yaml").rename(root / "apps/a/uno.yaml")


CHANGES: dict[str, Callable[[Path], None]] = {
    "add a file": lambda root: (root / "apps/a/new.yaml").write_text("kind: New\n"),
    "remove a file": lambda root: (root / "apps/a/one.yaml").unlink(),
    "rename a file": rename,
    "add a link that stays inside": lambda root: os.symlink("one.yaml", root / "apps/a/inside.yaml"),
    "add a link leading out": lambda root: os.symlink("../../../outside/secret.yaml", root / "apps/a/out.yaml"),
    "remove a link": lambda root: (root / "apps/a/link.yaml").unlink(),
    "rename a link": lambda root: (root / "apps/a/link.yaml").rename(root / "apps/a/moved.yaml"),
    "replace a file by a folder": lambda root: ((root / "apps/a/one.yaml").unlink(),
                                                (root / "apps/a/one.yaml").mkdir()),
    "add an ignore file": lambda root: (root / "apps/a/.sourceignore").write_text("one.yaml\n"),
}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("back_dated", [False, True], ids=["", "mtime set back"])
def test_a_change_in_a_folder_is_seen_by_the_next_snapshot(tree: Path, change: str, back_dated: bool) -> None:
    """Only the changed folder is listed again; with its mtime set back to what it was, its ctime still tells."""
    snapshot, counts = snapshots(tree)
    before = answers(snapshot())
    CHANGES[change](tree)
    if back_dated:
        os.utime(tree / "apps/a", (OLD, OLD))
    after = answers(snapshot())
    assert after == answers(ConfinedDir(tree, snapshot=True)) and after != before
    new_folders = 1 if change == "replace a file by a folder" else 0
    assert counts["folders listed"] == counts["folders scanned"] == FOLDERS + 1 + new_folders


def test_a_link_is_classified_again_when_its_target_changes_elsewhere(tree: Path) -> None:
    snapshot, counts = snapshots(tree)
    first = snapshot()
    answers(first)
    assert first.is_file("apps/a/link.yaml")
    (tree / "base/t.yaml").unlink()  # base changes, apps/a does not
    files = snapshot()
    assert answers(files) == answers(ConfinedDir(tree, snapshot=True))  # apps/a from its kept listing
    assert counts["folder listings kept"] == FOLDERS - 1
    assert files.entry("apps/a/link.yaml").kind == "refused" and "dangling" in files.entry("apps/a/link.yaml").reason


def test_a_file_grown_over_the_cap_in_place_is_refused(tree: Path) -> None:
    snapshot, counts = snapshots(tree, max_file_bytes=64)
    first = snapshot()
    answers(first)
    assert first.is_file("apps/a/one.yaml")
    with open(tree / "apps/a/one.yaml", "r+") as fh:  # written in place: its folder does not change
        fh.write("kind: A\n" + "#" * 100)
    files = snapshot()
    assert answers(files) == answers(ConfinedDir(tree, snapshot=True, max_file_bytes=64))
    assert counts["folder listings kept"] == FOLDERS and files.entry("apps/a/one.yaml").code == "FW-LIMIT-FILE-SIZE"


def test_a_folder_changed_just_now_is_not_kept(tree: Path) -> None:
    """Its next change might share its timestamp (a coarse clock): it is listed again until it settles."""
    snapshot, counts = snapshots(tree)
    (tree / "apps/a/new.yaml").write_text("kind: New\n")
    for _ in range(2):
        list(snapshot().walk())
    assert counts["folders listed"] == FOLDERS + 1  # apps/a both times, the others once


def test_roots_and_limits_never_share_listings(tmp_path: Path, tree: Path) -> None:
    """Listings are kept by root and limits: another checkout (or a root inside this one) lists its own."""
    other = tmp_path / "other"
    (other / "apps/a").mkdir(parents=True)
    (other / "apps/a/else.yaml").write_text("kind: Else\n")
    settle(other)
    kept: dict[Any, Any] = {}
    counts: Counter[str] = Counter()
    for root, limits in ((tree, {}), (other, {}), (tree / "apps", {}), (tree, {"max_file_bytes": 4})):
        files = ConfinedDir(root, snapshot=True, kept=kept, counts=counts, **limits)
        assert answers(files) == answers(ConfinedDir(root, snapshot=True, **limits))
    assert counts["folder listings kept"] == 0


def test_a_repo_keeps_listings_only_on_a_cache_that_keeps_builds(tree: Path) -> None:
    single = ParseCache()
    Repo(tree, single).walk_yaml()
    Repo(tree, single).walk_yaml()
    assert single.counts["folders listed"] == 2 * FOLDERS and "folders" not in single.derived

    serve = ParseCache()
    serve.keep_builds = True
    first = Repo(tree, serve)
    walked = ["apps/a/one.yaml", "apps/b/two.yaml", "base/t.yaml"]  # no link (an artifact has none), no skip.yaml
    assert first.walk_yaml() == walked and first.walk_yaml() == walked  # the second from the first walk
    second = Repo(tree, serve)
    assert second.walk_yaml() == first.walk_yaml() and second.problems == first.problems
    assert serve.counts["folders listed"] == FOLDERS and serve.counts["folder listings kept"] == FOLDERS
