"""Hand-written pages: source basis and relationships, live markers, review stamps and staleness checks."""
