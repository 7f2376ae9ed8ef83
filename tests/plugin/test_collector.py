"""Issue 14, cold build: the cyclic garbage collector around a one-off `mkdocs build` (flux_wiki/mkdocs/collector.py).
What MkDocs made before the compilation is out of the collector's sight from the compilation to the end of the build,
and given back then; the compilation's own cycles are freed as before; what is frozen at exit is all there is.
Counted, not timed."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest
import yaml

from flux_wiki.compile import WikiCompiler

from ..support import build_site, two_cluster_wiki


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def wiki(tmp_path: Path) -> Path:
    wiki = two_cluster_wiki(tmp_path / "wiki")
    config = {"site_name": "x", "plugins": [{"flux-wiki": {"repo": "data/gitops", "diagrams": False}}]}
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return wiki


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the compilation sees of the collector, and a reference cycle it makes (only a weak reference kept)."""
    found: dict[str, Any] = {}
    compile_wiki = WikiCompiler.compile

    def spy(self: WikiCompiler, *args: Any, **kwargs: Any) -> Any:
        found["frozen"] = gc.get_freeze_count()
        # frozen objects are in no generation: the compiler (made at the start of the command) is, or is not
        found["compiler set aside"] = all(o is not self for o in gc.get_objects())
        made = Cycle()
        found["cycle"] = weakref.ref(made)
        return compile_wiki(self, *args, **kwargs)

    monkeypatch.setattr(WikiCompiler, "compile", spy)
    return found


def test_a_build_sets_aside_what_mkdocs_made_before_and_gives_it_back(wiki: Path, tmp_path: Path,
                                                                   seen: dict[str, Any]) -> None:
    assert gc.get_freeze_count() == 0
    built = build_site(wiki, tmp_path / "site")
    assert seen["frozen"] > 1000 and seen["compiler set aside"]  # MkDocs' modules and configuration, at least
    assert seen["cycle"]() is None  # the compilation's cycles are freed during the build (the model's release)
    assert gc.get_freeze_count() == 0
    assert (built / "flux" / "home" / "dag" / "index.html").is_file()


def test_serve_and_another_freeze_are_left_alone(wiki: Path, tmp_path: Path, seen: dict[str, Any]) -> None:
    build_site(wiki, tmp_path / "served", command="serve")  # rebuilds follow: nothing set aside
    assert seen["frozen"] == 0 and not seen["compiler set aside"]
    gc.freeze()  # someone else's
    try:
        build_site(wiki, tmp_path / "site")
        assert seen["frozen"] > 0 and not seen["compiler set aside"]
        assert gc.get_freeze_count() > 0  # not given back by the build: not the build's to give
    finally:
        gc.unfreeze()


def test_a_failed_build_gives_back_what_it_set_aside(wiki: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: WikiCompiler, *args: Any, **kwargs: Any) -> Any:
        assert gc.get_freeze_count() > 0
        raise RuntimeError("broken")

    monkeypatch.setattr(WikiCompiler, "compile", broken)
    with pytest.raises(Exception, match="broken"):
        build_site(wiki, tmp_path / "site")
    assert gc.get_freeze_count() == 0


def test_at_exit_all_that_is_alive_is_frozen_once() -> None:
    """Registered once however many builds; an atexit handler registered before it runs after it (LIFO)."""
    code = ("import atexit, gc\n"
            "atexit.register(lambda: print(gc.get_freeze_count() > 1000))\n"
            "from flux_wiki.mkdocs import collector\n"
            "calls = []\n"
            "real = atexit.register\n"
            "atexit.register = lambda f: (calls.append(f), real(f))\n"
            "collector.set_aside_at_exit(); collector.set_aside_at_exit()\n"
            "print(len(calls), gc.get_freeze_count())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "0", "True"]
