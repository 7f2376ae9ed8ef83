"""Python's cyclic garbage collector around the plugin's work in a MkDocs process.

Each pass of the collector over its oldest generation walks every object the process holds: in a `mkdocs build`,
MkDocs', Material's, Jinja's and Markdown's modules and configuration, made before the plugin compiles anything
and alive until the end. A one-off build takes them out of the collector's sight while the wiki is compiled and
MkDocs renders the pages (:class:`OlderObjectsSetAside`): the passes then walk only what was made since, which
is where the garbage of the compilation is (the model's cycles are freed as before). And when the process ends,
the interpreter's last passes would walk all that is alive once more to free what the process is about to give
back anyway (:func:`set_aside_at_exit`). Neither changes what is freed during the build.
"""

from __future__ import annotations

import atexit
import gc

_at_exit = False


class OlderObjectsSetAside:
    """Between :meth:`start` and :meth:`end`, the objects alive at :meth:`start` are frozen (``gc.freeze()``):
    not walked, not freed by the collector; freed by reference counting as ever. Left alone when something else
    froze objects already (its freeze is not this one's to undo)."""

    def __init__(self) -> None:
        self.active = False

    def start(self) -> None:
        if not self.active and gc.get_freeze_count() == 0:
            gc.freeze()
            self.active = True

    def end(self) -> None:
        if self.active:
            gc.unfreeze()  # back to the oldest generation, for the collector's next full pass
            self.active = False


def set_aside_at_exit() -> None:
    """At interpreter exit, freeze all that is alive (once per process; as the ``flux-wiki`` command does): the
    exit's collection then walks nothing, and what is alive goes with the process. atexit handlers registered
    before this one still run after it, and files are still flushed and closed."""
    global _at_exit
    if not _at_exit:
        atexit.register(gc.freeze)
        _at_exit = True
