"""A run reads each file from disk once, however many clusters, builds and lookups ask for it (issue 14)."""

from pathlib import Path

from flux_wiki.flux.entry import find_entries
from flux_wiki.flux.simulate import simulate
from flux_wiki.load import Repo

from ..support import gotk_sync

APPS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
  interval: 1h
  prune: true
  postBuild: {substituteFrom: [{kind: ConfigMap, name: vars}]}
"""


def test_every_file_is_read_from_disk_once_per_run(tmp_path: Path) -> None:
    for cluster in ("staging", "production"):
        (tmp_path / "clusters" / cluster / "flux-system").mkdir(parents=True)
        (tmp_path / "clusters" / cluster / "flux-system" / "gotk-sync.yaml").write_text(gotk_sync(cluster))
        (tmp_path / "clusters" / cluster / "apps.yaml").write_text(APPS)
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "vars.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n"
                                                 "metadata: {name: vars, namespace: flux-system}\ndata: {A: b}\n")
    (tmp_path / "apps" / "app.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: '${A}'}\n")
    repo = Repo(tmp_path)
    entries, _ = find_entries(repo)
    assert len(entries) == 2  # the repo-wide lookups (entries, variables' sources) run once per cluster
    for entry in entries:
        cluster = simulate(repo, entry)
        assert cluster.kustomizations["flux-system/apps"].status == "built"
    assert repo.files.reads == len(repo.read) == 6


def test_a_file_read_twice_answers_the_same_bytes(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    repo = Repo(tmp_path)
    first = repo.read_bytes("a.yaml")
    (tmp_path / "a.yaml").write_text("a: 2\n")  # within one run the snapshot holds
    assert repo.read_bytes("a.yaml") is first and repo.files.reads == 1
    assert Repo(tmp_path).read_bytes("a.yaml") == b"a: 2\n"  # the next run reads it again


def test_a_files_text_is_decoded_once_per_content(tmp_path: Path) -> None:
    """Each caller that looks up lines of a file gets the same str (field_line's index of lines is keyed by it),
    from every view of the repository; a file that changed gives its new text."""
    (tmp_path / "a.yaml").write_bytes(b"kind: A\nname: \xff\n")
    repo = Repo(tmp_path)
    text = repo.read_text("a.yaml")
    assert text == "kind: A\nname: \ufffd\n"
    assert repo.read_text("a.yaml") is text and repo.with_ignore("*.md").read_text("a.yaml") is text
    (tmp_path / "a.yaml").write_text("kind: B\n")
    assert Repo(tmp_path).read_text("a.yaml") == "kind: B\n"
