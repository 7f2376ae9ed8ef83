"""The one place that turns what went wrong into a message and an exit code, for every command.

Bad input or configuration (an InputError naming file and line, an unknown cluster, a git revision that is
not there, a file that cannot be read or written) is ``error: <message>`` on stderr and exit 2. A command's
own verdict ("stale", "changed") is exit 1 where the command says so (:func:`verdict`); success is 0.
Usage errors are argparse's (the usage line and the error, exit 2). Never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NoReturn

BAD_INPUT_EXIT = 2
VERDICT_EXIT = 1
ABORT_EXIT = 1


class BadInput(Exception):
    """Input or configuration the command cannot work with; each message is one ``error:`` line."""

    def __init__(self, *messages: str):
        super().__init__("\n".join(messages))
        self.messages = messages


def bad_input(err: Exception) -> BadInput:
    """The BadInput of an exception the engine raises for bad input."""
    if isinstance(err, OSError):
        return BadInput(f"{err.filename}: {err.strerror or err}")
    return BadInput(str(err))


def bad_input_errors() -> tuple[type[Exception], ...]:
    """What the engine raises for bad input (imported when an error is met, not at start-up)."""
    from ..diff.revisions import GitError
    from ..engine import UnknownCluster
    from ..model import InputError
    return InputError, UnknownCluster, GitError, OSError


def reported(command: Callable[[list[str]], None], argv: list[str]) -> None:
    """Run ``command`` on ``argv``; bad input becomes ``error:`` lines and exit 2.

    A reader that went away (``| head``) ends the command with exit 1 and nothing more; so does Ctrl-C
    (``Aborted!``). Any other exception is a bug: its traceback is what a bug report needs.
    """
    try:
        command(argv)
    except BadInput as err:
        _exit_bad_input(err)
    except BrokenPipeError:
        # what is still buffered for the closed pipe would fail again at exit: send it nowhere instead
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(ABORT_EXIT) from None
    except (KeyboardInterrupt, EOFError):
        print("Aborted!", file=sys.stderr)
        raise SystemExit(ABORT_EXIT) from None
    except Exception as err:
        if not isinstance(err, bad_input_errors()) or (isinstance(err, OSError) and err.filename is None):
            raise  # a bug, or an OSError that is not about a file
        _exit_bad_input(bad_input(err))


def _exit_bad_input(err: BadInput) -> NoReturn:
    for message in err.messages:
        print(f"error: {message}", file=sys.stderr)
    raise SystemExit(BAD_INPUT_EXIT) from None


def verdict(found: bool) -> NoReturn:
    """End a command that reports a finding ("stale", "changed"): exit 1 when it found one, else 0."""
    raise SystemExit(VERDICT_EXIT if found else 0)
