"""Rendering: the analysed facts in formats (Markdown pages and their wording, DOT/SVG diagrams, inventory JSON)."""
