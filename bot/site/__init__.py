"""The research site: static pages per fund, session and language (``signalbot site build``)."""
