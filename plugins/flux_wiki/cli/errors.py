"""The one place that turns what went wrong into a message and an exit code, for every command.

Bad input or configuration (an InputError naming file and line, an unknown cluster, a git revision that is
not there, a file that cannot be read or written) is ``error: <message>`` on stderr and exit 2. A command's
own verdict ("stale", "changed") is exit 1 where the command says so (:func:`verdict`); success is 0.
Usage errors stay click's (exit 2 with the usage line). Never a traceback.
"""

from __future__ import annotations

from typing import IO, Any, NoReturn

import click

from ..model import InputError

BAD_INPUT_EXIT = 2
VERDICT_EXIT = 1


class BadInput(click.ClickException):
    """Input or configuration the command cannot work with; each message is one ``error:`` line."""

    exit_code = BAD_INPUT_EXIT

    def __init__(self, *messages: str):
        super().__init__("\n".join(messages))
        self.messages = messages

    def show(self, file: IO[Any] | None = None) -> None:
        for message in self.messages:
            click.echo(f"error: {message}", err=True)


def bad_input(err: Exception) -> BadInput:
    """The BadInput of an exception the engine raises for bad input."""
    if isinstance(err, OSError):
        return BadInput(f"{err.filename}: {err.strerror or err}")
    return BadInput(str(err))


def bad_input_errors() -> tuple[type[Exception], ...]:
    """What the engine raises for bad input (imported when an error is met, not at start-up)."""
    from ..diff.revisions import GitError
    from ..engine import UnknownCluster
    return InputError, UnknownCluster, GitError, OSError


class Commands(click.Group):
    """A command group whose commands' bad-input exceptions become :class:`BadInput`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as err:
            if not isinstance(err, bad_input_errors()) or (isinstance(err, OSError) and err.filename is None):
                raise  # a bug, or not about a file (a closed pipe): click's own handling
            raise bad_input(err) from None


def verdict(found: bool) -> NoReturn:
    """End a command that reports a finding ("stale", "changed"): exit 1 when it found one, else 0."""
    raise SystemExit(VERDICT_EXIT if found else 0)
