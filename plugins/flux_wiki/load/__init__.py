"""Loading: repository files and YAML documents with their file:line."""

from .repo import Repo
from .yamldocs import Document, ParseCache, parse_documents

__all__ = ["Document", "ParseCache", "Repo", "parse_documents"]
