"""The confinement mechanism every reader goes through: real path inside the root, type, size, bounded walks."""

from __future__ import annotations

import os
import socket
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, strategies as st

from flux_wiki.load import Repo
from flux_wiki.load.confine import ConfinedDir, _read_fd
from flux_wiki.model import InputError


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A root with a secret beside it and one link of every kind inside it."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("kind: Secret\n")
    root = tmp_path / "root"
    (root / "apps" / "base").mkdir(parents=True)
    (root / "apps" / "base" / "a.yaml").write_text("kind: A\n")
    links = {
        "apps/out.yaml": tmp_path / "outside" / "secret.yaml",
        "apps/out-dir": tmp_path / "outside",
        "up": Path(".."),
        "apps/up": Path(".."),  # the root itself: a loop for a walk
        "apps/slash": Path("/"),
        "apps/dangling.yaml": Path("nowhere.yaml"),
        "apps/loop-a.yaml": Path("loop-b.yaml"),
        "apps/loop-b.yaml": Path("loop-a.yaml"),
        "apps/inside.yaml": Path("base/a.yaml"),
        "apps/shared": Path("base"),
        "apps/base/self": Path("."),
        "apps/zero.yaml": Path("/dev/zero"),
    }
    for rel, target in links.items():
        os.symlink(target, root / rel)
    os.mkfifo(root / "apps" / "fifo.yaml")
    return root


def test_links_that_stay_inside_are_followed(tree: Path) -> None:
    d = ConfinedDir(tree)
    assert d.read_bytes("apps/inside.yaml") == b"kind: A\n"
    assert d.is_dir("apps/shared") and d.read_bytes("apps/shared/a.yaml") == b"kind: A\n"


@pytest.mark.parametrize("rel, why", [
    ("apps/out.yaml", "leading outside the repository root"),
    ("apps/out-dir", "leading outside"),
    ("apps/out-dir/secret.yaml", "leading outside"),
    ("apps/out-dir/absent.yaml", "leading outside"),  # no probing for files outside
    ("up", "leading outside"),
    ("apps/slash", "leading outside"),
    ("apps/zero.yaml", "leading outside"),
    ("apps/dangling.yaml", "dangling symbolic link"),
    ("apps/loop-a.yaml", "symbolic link loop"),
    ("apps/fifo.yaml", "not a regular file or folder"),
])
def test_refused_paths_name_the_path_and_are_never_read(tree: Path, rel: str, why: str) -> None:
    d = ConfinedDir(tree)
    e = d.entry(rel)
    assert e.kind == "refused" and why in e.reason and f"'{rel}'" in e.reason
    assert not d.exists(rel) and not d.is_file(rel) and not d.is_dir(rel)
    with pytest.raises(InputError) as err:
        d.read_bytes(rel)
    assert err.value.file == rel and why in err.value.message


def test_a_socket_is_refused(tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.yaml"))
        assert "not a regular file" in ConfinedDir(tmp_path).entry("s.yaml").reason
    finally:
        sock.close()


def test_files_over_the_cap_are_refused_with_the_cap_in_the_message(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_bytes(b"x" * 101)
    (tmp_path / "ok.yaml").write_bytes(b"x" * 100)
    d = ConfinedDir(tmp_path, max_file_bytes=100)
    assert d.read_bytes("ok.yaml") == b"x" * 100
    with pytest.raises(InputError, match=r"'big.yaml' is 101 bytes, over the 100 bytes limit"):
        d.read_bytes("big.yaml")


def test_missing_paths_are_missing_not_refused(tree: Path) -> None:
    d = ConfinedDir(tree)
    assert d.entry("apps/nothing.yaml").kind == "missing"
    assert d.entry("apps/base/a.yaml/x").kind == "missing"
    with pytest.raises(InputError, match="not found"):
        d.read_bytes("apps/nothing.yaml")


def test_walk_skips_and_notes_every_refused_entry_and_never_loops(tree: Path) -> None:
    d = ConfinedDir(tree)
    walked = [rel for rel, _ in d.walk()]
    assert walked == ["apps", "apps/base", "apps/base/a.yaml", "apps/inside.yaml",
                      "apps/shared", "apps/shared/a.yaml"]
    noted = {p.file: p.message for p in d.problems}
    assert set(noted) == {"up", "apps/out.yaml", "apps/out-dir", "apps/up", "apps/slash", "apps/zero.yaml",
                          "apps/dangling.yaml", "apps/loop-a.yaml", "apps/loop-b.yaml", "apps/fifo.yaml",
                          "apps/base/self", "apps/shared/self"}
    assert "a loop" in noted["apps/base/self"] and "a loop" in noted["apps/up"]
    assert all(p.line == 1 and p.file in p.message for p in d.problems)


def test_walk_is_bounded_when_links_multiply_folders(tmp_path: Path) -> None:
    for level in range(6):
        (tmp_path / f"l{level}").mkdir()
        for i in range(4):
            os.symlink(f"../l{level + 1}", tmp_path / f"l{level}" / f"x{i}")
    (tmp_path / "l6").mkdir()
    d = ConfinedDir(tmp_path, max_walk_entries=500)
    assert len(list(d.walk())) == 500
    assert any("more than 500 files and folders" in p.message for p in d.problems)


def test_walk_descends_only_where_allowed(tree: Path) -> None:
    walked = [rel for rel, _ in ConfinedDir(tree).walk(descend=lambda folder: folder != "apps/base")]
    assert "apps/base" in walked and "apps/base/a.yaml" not in walked


def test_deep_folders_do_not_exhaust_the_stack(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(300):  # deeper than the recursion limit allows for a recursive walk with helpers
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "x.yaml").write_text("kind: A\n")
    assert Repo(tmp_path).walk_yaml() == ["/".join(["d"] * 300) + "/x.yaml"]


def test_the_root_may_itself_be_reached_through_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.yaml").write_text("kind: A\n")
    os.symlink("real", tmp_path / "alias")
    d = ConfinedDir(tmp_path / "alias")
    assert d.read_bytes("a.yaml") == b"kind: A\n" and not d.problems


def test_repo_routes_every_read_through_the_confinement(tree: Path) -> None:
    repo = Repo(tree)
    assert repo.walk_yaml() == ["apps/base/a.yaml"]
    assert not repo.problems  # a search for YAML files: what it refuses nothing reads, and Flux never meets
    list(repo.walk("apps"))  # a walk as a build walks (Flux's generated kustomization): the refusals are noted
    assert {p.file for p in repo.problems} >= {"apps/out.yaml", "apps/fifo.yaml"}
    with pytest.raises(InputError, match="resource 'out.yaml': 'apps/out.yaml' is a symbolic link leading outside"):
        repo.locate("apps", "out.yaml", referrer="apps/kustomization.yaml", line=4, what="resource")
    with pytest.raises(InputError):
        repo.documents("apps/out.yaml")
    assert "apps/out.yaml" not in repo.read


def test_a_repo_follows_no_link_even_inside_because_the_artifact_has_none(tree: Path) -> None:
    """fluxcd/pkg artifact storage ``Archive``: "Ignore anything that is not a file or directories e.g.
    symlinks" -- a link that stays inside the repo is absent from what Flux builds, so a build naming it fails."""
    repo = Repo(tree)
    list(repo.walk())
    problems = {p.file: p.message for p in repo.problems}
    assert "leaves symbolic links out of the artifact" in problems["apps/inside.yaml"]
    assert "leaves symbolic links out of the artifact" in problems["apps/shared"]
    with pytest.raises(InputError, match="'apps/shared/a.yaml' is a symbolic link \\(or lies below one\\)"):
        repo.documents("apps/shared/a.yaml")


def test_ignored_refused_entries_are_not_warned_about(tree: Path) -> None:
    (tree / ".sourceignore").write_text("apps/fifo.yaml\napps/out*\n")
    repo = Repo(tree)
    list(repo.walk())
    noted = {p.file for p in repo.problems}
    assert "apps/fifo.yaml" not in noted and "apps/out.yaml" not in noted and "apps/up" in noted


def test_sourceignore_link_outside_is_refused_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "ignore").write_text("apps/\n")
    root = tmp_path / "root"
    (root / "apps").mkdir(parents=True)
    (root / "apps" / "a.yaml").write_text("kind: A\n")
    os.symlink(tmp_path / "ignore", root / ".sourceignore")
    repo = Repo(root)
    assert repo.walk_yaml() == ["apps/a.yaml"]
    assert [p.file for p in repo.problems] == [".sourceignore"]
    assert "leading outside" in repo.problems[0].message


@pytest.mark.parametrize("seen", [0, 10, 100_000, 200_000])
@pytest.mark.parametrize("limit", [5, 100_000, 300_000])
def test_a_file_is_read_to_its_end_whatever_size_stat_saw(tmp_path: Path, seen: int, limit: int) -> None:
    """The first read asks for the size stat saw; a file that changed since is still read to its end (or the cap)."""
    content = bytes(range(256)) * 400  # 102,400 bytes, more than one read after the first
    (tmp_path / "f").write_bytes(content)
    fd = os.open(tmp_path / "f", os.O_RDONLY)
    try:
        assert _read_fd(fd, seen, limit) == content[:limit]
    finally:
        os.close(fd)


@given(st.lists(st.sampled_from(["a", "b", ".", "..", "", "/", "x.yaml", "..."]), max_size=4),
       st.lists(st.sampled_from(["a", "b", ".", "..", "", "/", "x.yaml", "..."]), max_size=4))
def test_resolved_paths_are_normal_posix_paths(base: list[str], ref: list[str]) -> None:
    """Repo.resolve answers the normalised join as PurePosixPath writes it, or refuses to leave the root."""
    repo = Repo(Path(__file__).parent)
    try:
        got = repo.resolve("/".join(base), "/".join(ref), referrer="k.yaml")
    except InputError:
        return
    assert got == (PurePosixPath(os.path.normpath(os.path.join("/".join(base) or ".", "/".join(ref)))).as_posix())
    assert not got.startswith(("/", "../")) and got != ".."
