"""Recent Changes keeps only the compared facts of each past revision: comparing them must give exactly the diff
that comparing the whole inventory documents gives, for every kind of change the scenarios make."""

from __future__ import annotations

from flux_wiki.diff.compare import compare_inventories, compared_facts
from flux_wiki.engine import build_model
from flux_wiki.render.inventory import inventory

from .conftest import STEPS


def test_the_compared_facts_give_the_same_diff_as_the_inventories(history) -> None:
    git = history.inventories.git
    docs = []
    for name in ["base", *(m for m, _ in STEPS)]:
        with git.checkout(history.commits[name]) as folder:
            docs.append(inventory(build_model(folder)))
    for base, head in zip(docs, docs[1:]):
        whole = compare_inventories(base, head)
        assert compare_inventories(compared_facts(base), compared_facts(head)) == whole
    assert any(c.changed for base, head in zip(docs, docs[1:]) for c in compare_inventories(base, head).clusters)
    assert len(str(compared_facts(docs[-1]))) < len(str(docs[-1]))
