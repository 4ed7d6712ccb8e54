"""One delivery layer for every outgoing message (digest parts, regime alerts).

- :mod:`bot.delivery.poster`: what a channel's poster declares (:class:`Capabilities`) and does
  (:class:`Poster`: send, optionally find an earlier post; :class:`Channel`: render a
  platform-neutral message into its own payload), and the one :class:`Outgoing`.
- :mod:`bot.delivery.channels`: the registry of channels by platform name.
- :mod:`bot.delivery.markers`: the keys every message carries, read back after a crash.
- :mod:`bot.delivery.retry`: one retry policy for digest parts and alerts.
- :mod:`bot.delivery.lease`: the heartbeat renewing the claims a process works on.
- :mod:`bot.delivery.reconcile`: find-before-posting for a retried claim.
- :mod:`bot.delivery.ratelimit`: pacing of a fan-out per platform.
- :mod:`bot.delivery.posters`: the posters of the running adapters, or stand-alone ones.

Claims and the ledger themselves live in :mod:`bot.storage.ledger` (the database's clock).
"""
