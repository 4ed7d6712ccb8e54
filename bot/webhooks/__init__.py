"""Webhook targets: digests and alerts posted to a URL an admin pasted (issue 24).

- :mod:`bot.webhooks.kind`: what one kind of webhook (Feishu, WeCom, Discord incoming, JSON ...)
  declares and does: hosts, limits, rendering, signing, reading the platform's answer.
- :mod:`bot.webhooks.kinds`: the registry of kinds by name (one line per kind).
"""
