"""``python -m flux_wiki.cli``."""

from . import run

run()
