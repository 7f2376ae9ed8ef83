"""``python -m flux_wiki.cli``."""

from . import main

main()
