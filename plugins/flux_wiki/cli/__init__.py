"""The ``flux-wiki`` command: the same engine as the plugin, for terminals and CI.

One module per command group (``init``; ``repo``: inventory, graph, pages; ``authoring``: stamp, check;
``export``; ``diff``; ``doctor``), the top-level group that loads them (``group``), and one place (``errors``)
that turns bad input into a message and an exit code.

This package itself is only the process entry (:func:`run`): importing it loads nothing else, so the process
sets its collector before the engine is imported. ``main`` (the command line's entry) is loaded on first use.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .group import main

# gc.set_threshold for a flux-wiki process: the collector looks at the youngest objects after 50,000 net
# allocations of container objects instead of 700, at the older generations after 20 of those instead of 10.
GC_THRESHOLD = (50_000, 20, 20)
_in_run = False  # whether this process is the flux-wiki command (:func:`run`), not one that calls main() itself


def run() -> None:
    """The ``flux-wiki`` process: :func:`main` with a calmer garbage collector, then an exit without its last passes.

    Nearly all a command allocates lives until it ends (modules, classes, the parsed repository, the model), so at
    its default pace the collector walks the same live objects again and again for next to nothing to free: 5-20 %
    of ``inventory``. Garbage is freed by reference counting as it is made (the YAML parse leaves no cycle behind:
    tests/load/test_yaml_one_pass.py); what cycles remain wait a little longer (peak RSS +1-2 %). The threshold is
    set before anything is imported: importing the engine creates tens of thousands of objects that all
    live (classes, functions, module tables), which the default pace would walk some twenty times.

    What is alive when a command ends goes with the process, yet the interpreter's finalisation first walks all
    of it looking for reference cycles to free (a tenth of ``inventory`` on a small repository). gc.freeze()
    takes it out of the collector's sight; atexit handlers and flushing stdout still run.
    """
    global _in_run
    gc.set_threshold(*GC_THRESHOLD)
    _in_run = True
    try:
        from .group import main

        main()
    finally:
        gc.freeze()


def engine_loaded() -> None:
    """Called by a command once it has imported the engine. In the flux-wiki process what is alive then (modules,
    classes, their tables) lives until the process ends: gc.freeze() keeps the collector from walking it again and
    again while the model is built (14 M instructions of ``inventory`` on angelnu__k8s-gitops). A process that calls
    main() itself (a test) keeps its collector as it is: freezing would keep its garbage."""
    if _in_run:
        gc.freeze()


def __getattr__(name: str) -> object:
    """``from flux_wiki.cli import main``: the command line's entry, imported when first asked for (PEP 562)."""
    if name == "main":
        from .group import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["engine_loaded", "main", "run"]
