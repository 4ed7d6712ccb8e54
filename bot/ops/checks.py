"""One line of ``signalbot doctor``'s checklist: what was found and, for a problem, what to do.

Below :mod:`bot.ops.doctor` and :mod:`bot.ops.doctor_chat`, which both build them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One line of the checklist; ``fix`` says what to do when ``ok`` is False."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def ok(name: str, detail: str) -> Check:
    """A passed check."""
    return Check(name, True, detail)


def problem(name: str, detail: str, fix: str) -> Check:
    """A failed check and what to do about it."""
    return Check(name, False, detail, fix)


def format_check(check: Check) -> str:
    """``ok       name  detail`` or ``problem  name  detail`` plus an indented ``-> fix`` line."""
    line = f"{'ok' if check.ok else 'problem':<8} {check.name:<18} {check.detail}"
    return line if check.ok or not check.fix else f"{line}\n{'':<27} -> {check.fix}"
