"""The MkDocs plugin: MkDocs events adapted to the compile step (it adapts; the engine thinks)."""
