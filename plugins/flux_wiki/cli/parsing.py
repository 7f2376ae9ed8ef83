"""The command line's grammar: argparse parsers for the commands, and the argument types several commands share.

argparse (the standard library's) rather than a framework: it is imported in 2-3 ms, where click took 15-20 ms of
every ``flux-wiki`` process. A usage error is argparse's: the usage line and ``PROG: error: ...`` on
stderr, exit 2.
"""

from __future__ import annotations

import argparse
import os
from typing import Any


class FixedWidth(argparse.HelpFormatter):
    """Help 78 columns wide, as click's was. argparse would ask the terminal, importing shutil (with its compression
    modules: 2 ms) in every process, since it makes a formatter for each argument a parser adds."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int = 78) -> None:
        super().__init__(prog, indent_increment, max_help_position, width)


class Paragraphs(FixedWidth):
    """Help that keeps the paragraphs of a description (argparse would run them into one), each filled."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(super(Paragraphs, self)._fill_text(p, width, indent) for p in text.split("\n\n"))


class Verbatim(argparse.RawDescriptionHelpFormatter, FixedWidth):
    """Help whose description and epilog are printed as they are written (a table of commands)."""


class CommandParser(argparse.ArgumentParser):
    """The parser of one command (``prog`` is how the user typed it, e.g. ``flux-wiki inventory``).

    An option that takes a value takes the next word whatever it is, as getopt (and click before) does:
    ``--head --help`` names the revision ``--help``. argparse alone would take such a word for an option.
    """

    def __init__(self, prog: str, description: str | None, **kwargs: Any) -> None:
        self._takes_value: set[str] = set()  # the option strings of options that take one value
        super().__init__(prog=prog, description=description, allow_abbrev=False,
                         formatter_class=kwargs.pop("formatter_class", Paragraphs), **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        if action.option_strings and action.nargs is None:
            self._takes_value.update(action.option_strings)
        return action

    def parse(self, argv: list[str]) -> argparse.Namespace:
        """The arguments of ``argv``, each value that starts with ``-`` attached to its option (``--head=--help``)."""
        words = iter(argv)
        attached = []
        for word in words:
            if word == "--":
                attached += [word, *words]
                break
            value = next(words, None) if word in self._takes_value else None
            if value is None:
                attached.append(word)
            elif value.startswith("-"):
                attached.append(f"{word}={value}")
            else:
                attached += [word, value]
        return self.parse_args(attached)


class VersionAction(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for (importlib.metadata is slow
    to import)."""

    def __init__(self, option_strings: list[str], dest: str, package: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="Show the version and exit.", **kwargs)
        self.package = package

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from importlib.metadata import version

        print(f"{parser.prog}, version {version(self.package)}")
        parser.exit()


def _path(value: str, *, exists: bool, folder: bool) -> str:
    """``value`` when it can be the path a command asks for: a folder (or a file), which must exist if ``exists``."""
    noun = "Directory" if folder else "File"
    if not os.path.exists(value):
        if exists:
            raise argparse.ArgumentTypeError(f"{noun} {value!r} does not exist.")
        return value
    if folder and not os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{noun} {value!r} is a file.")
    if not folder and os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{noun} {value!r} is a directory.")
    if not os.access(value, os.R_OK):
        raise argparse.ArgumentTypeError(f"{noun} {value!r} is not readable.")
    return value


def folder_path(value: str) -> str:
    """A folder path; it need not exist yet, but it is not a file."""
    return _path(value, exists=False, folder=True)


def existing_folder(value: str) -> str:
    """A folder that exists."""
    return _path(value, exists=True, folder=True)


def file_path(value: str) -> str:
    """A file path; it need not exist, but it is not a folder."""
    return _path(value, exists=False, folder=False)


def existing_file(value: str) -> str:
    """A file that exists."""
    return _path(value, exists=True, folder=False)



class GroupParser(CommandParser):
    """The parser of a command group (``flux-wiki``, ``flux-wiki export``): it reads the first word, the command,
    and leaves the words after it to that command's own parser, which is made (and its module loaded) only then."""

    def __init__(self, prog: str, description: str, commands: dict[str, str]) -> None:
        """``commands``: each command's name and its one line of help."""
        width = max(map(len, commands))
        table = "\n".join(f"  {name.ljust(width)}  {summary}" for name, summary in commands.items())
        super().__init__(prog, description, formatter_class=Verbatim,
                         epilog=f"commands:\n{table}\n\nSee '{prog} COMMAND --help' for a command's options.")
        self.add_argument("command", metavar="COMMAND", choices=commands, help="The command to run (below).")
        self.add_argument("arguments", metavar="ARGS", nargs="*", default=[],
                          help="The command's arguments and options.")

    def command(self, argv: list[str]) -> tuple[str, list[str]]:
        """The command ``argv`` names, and its arguments."""
        return self.parse_args(argv[:1]).command, argv[1:]
