"""The daily digest: schedule, leader election, fan-out with an exactly-once ledger."""
