"""Analysis: what a simulated cluster means (levels, exclusions, surfaces, hidden secrets) and the facts outputs read."""
