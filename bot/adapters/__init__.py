"""Platform adapters: translate platform events in and replies out; no business rules here."""
