"""flux-wiki: compile a Flux GitOps repository into wiki pages.

Data flows one way: load (YAML with file:line) -> flux (simulate reconciliation)
-> analysis (DAG, surfaces) -> render (Markdown, DOT, JSON) -> front ends
(MkDocs plugin, CLI).
"""

__version__ = "0.1.0"
