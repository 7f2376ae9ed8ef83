"""The command line's grammar (cli/parsing.py): usage errors, option values that start with ``-``, help, version."""

from __future__ import annotations

import pytest

from ..support import EXAMPLE_REPO, run_cli


@pytest.mark.parametrize("args, message", [
    (["nope"], "argument COMMAND: invalid choice: 'nope'"),
    (["inventory", str(EXAMPLE_REPO), "--bogus"], "unrecognized arguments: --bogus"),
    (["inventory", str(EXAMPLE_REPO), "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    (["inventory", str(EXAMPLE_REPO), "--form", "json"], "unrecognized arguments: --form json"),  # no abbreviations
    (["inventory", str(EXAMPLE_REPO / "absent")], "argument REPO: Directory"),
    (["graph", str(EXAMPLE_REPO), "--view", "sideways"], "expected auto, full, overview or layer:NAME"),
    (["pages", str(EXAMPLE_REPO)], "the following arguments are required: --out"),
    (["export"], "the following arguments are required: COMMAND"),
    (["export", "hugo", "--out"], "argument --out: expected one argument"),
])
def test_a_usage_error_is_the_usage_line_and_exit_2(args: list[str], message: str) -> None:
    result = run_cli(args, catch_exceptions=False)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("usage: flux-wiki") and message in result.stderr, result.stderr


def test_an_option_takes_the_next_word_as_its_value_even_one_that_starts_with_a_dash() -> None:
    """As getopt and click read it: `--entry --help` is the entry path `--help`, not a request for help."""
    result = run_cli(["inventory", str(EXAMPLE_REPO), "--entry", "--help", "-c", "-x"], catch_exceptions=False)
    assert result.exit_code == 0 and "usage:" not in result.output
    assert result.stdout.startswith("cluster -x: entry --help:1 (explicit)")


def test_help_and_version() -> None:
    top = run_cli(["--help"])
    assert top.exit_code == 0 and "inventory  Print the model:" in top.stdout
    command = run_cli(["inventory", "--help"])
    assert command.exit_code == 0 and "--format {json,text}" in command.stdout
    assert "--source SOURCE=FOLDER" in command.stdout
    assert run_cli(["export", "hugo", "--help"]).stdout.startswith("usage: flux-wiki export hugo")
    version = run_cli(["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("flux-wiki, version ")
