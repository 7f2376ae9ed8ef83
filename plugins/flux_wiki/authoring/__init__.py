"""Hand-written pages: their source basis and relationships (``basis``), live fragments (``markers``), review
stamps (``lock``) and the staleness verdicts and reports built on them (``check``)."""
