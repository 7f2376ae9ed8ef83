"""`flux-wiki COMMAND --help` loads neither the engine nor MkDocs: commands import what they need when they run
(issue 14; the start-up time itself is measured by benchmarks/model_speed.py, never asserted)."""

import subprocess
import sys

PROBE = """
import sys
from flux_wiki.cli import main
try:
    main([{args}], standalone_mode=False)
except SystemExit:
    pass
heavy = ("flux_wiki.engine", "flux_wiki.flux.simulate", "flux_wiki.diff", "flux_wiki.export", "mkdocs", "yaml")
print(sorted(m for m in sys.modules if m.startswith(heavy)))
"""


def loaded(*args: str) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=", ".join(repr(a) for a in args))],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_help_of_a_command_imports_nothing_heavy() -> None:
    assert loaded("inventory", "--help") == "[]"
    assert loaded("--help") != "[]"  # the group's help lists every command: they load, and the probe sees it


INVENTORY_PROBE = """
import contextlib, io, sys
from flux_wiki.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["inventory", {repo!r}, "--format", "json"], standalone_mode=False)
    except SystemExit:
        pass
print(sorted({{m.split(".")[0] for m in sys.modules if m.startswith(("mkdocs", "pathspec", "flux_wiki.config"))}}))
"""


def test_inventory_without_a_wiki_imports_neither_mkdocs_nor_pathspec() -> None:
    """`inventory REPO` reads no mkdocs.yml (so not MkDocs' config schema) and no ignore rule with a path glob
    (so not pathspec); the two were a fifth of its start-up."""
    from ..support import EXAMPLE_REPO

    out = subprocess.run([sys.executable, "-c", INVENTORY_PROBE.format(repo=str(EXAMPLE_REPO))],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_process_entry_keeps_the_command_s_output_and_exit_status(tmp_path) -> None:
    """`python -m flux_wiki.cli` (and the `flux-wiki` script) run the command through cli.run, which leaves the
    collector's last passes out of the exit: the whole JSON still arrives, and a usage error still exits 2."""
    import json

    from ..support import EXAMPLE_REPO

    ok = subprocess.run([sys.executable, "-m", "flux_wiki.cli", "inventory", str(EXAMPLE_REPO), "--format", "json"],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and json.loads(ok.stdout)["clusters"]
    bad = subprocess.run([sys.executable, "-m", "flux_wiki.cli", "inventory", str(tmp_path / "missing")],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "does not exist" in bad.stderr
