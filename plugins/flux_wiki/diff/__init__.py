"""What a change does to the cluster: the topology diff of two revisions of a Flux repository.

``revisions`` reads revisions with git, ``history`` builds their inventories (once per commit id),
``compare`` compares two inventory documents, ``report`` renders the result; the command is ``cli/diff.py``.
"""

from .compare import TopologyDiff, compare_inventories, diff_models
from .history import BuildOptions, LastChange, RecentChanges, RevisionInventories, history
from .revisions import Commit, GitError, GitRepo, Revision

__all__ = ["BuildOptions", "Commit", "GitError", "GitRepo", "LastChange", "RecentChanges", "Revision",
           "RevisionInventories", "TopologyDiff", "compare_inventories", "diff_models", "history"]
