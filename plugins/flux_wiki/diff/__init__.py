"""What a change does to the cluster: the topology diff of two revisions of a Flux repository.

``revisions`` reads revisions with git, ``revision_files`` serves a revision's files from git objects as a
checkout would, ``history`` builds their inventories (once per tree of the folder),
``compare`` compares two inventory documents, ``report`` renders the result; the command is ``cli/diff.py``.
"""

from .compare import TopologyDiff, compare_inventories, diff_models
from .history import BuildOptions, LastChange, RecentChanges, RevisionInventories, history
from .revisions import Commit, GitError, GitRepo, Revision

__all__ = ["BuildOptions", "Commit", "GitError", "GitRepo", "LastChange", "RecentChanges", "Revision",
           "RevisionInventories", "TopologyDiff", "compare_inventories", "diff_models", "history"]
