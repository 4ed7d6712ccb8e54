"""Words and layout: catalogs, locale-aware numbers, the Card model and its pure renderers."""
