"""The research site's settings: where it is published, where its folder is, whether to serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from bot.settings.groups import Group, _config


class SiteSettings(Group):
    """The research pages (``signalbot site build``) and their ``/research/`` route."""

    model_config = _config("SIGNALBOT_")

    public_url: str | None = Field(
        None,
        description="Public http(s) URL of the research site (canonical links, previews, sitemap)",
    )
    """Where ``signalbot site build``'s folder is published, e.g. ``https://example.org/research``:
    the base of every page's canonical, ``hreflang`` and OpenGraph URL and of ``sitemap.xml``.
    Unset: the built folder's own ``file://`` URL (a local preview)."""
    site_dir: Path | None = Field(
        None, description="Folder of the research site (signalbot site build's OUT)"
    )
    """The built research site, served at ``/research/`` when ``SIGNALBOT_SITE_SERVE=on``."""
    site_serve: Literal["on", "off"] = Field(
        "off", description="Serve SIGNALBOT_SITE_DIR at /research/ on the HTTP server"
    )
    """``on``: the ops HTTP server also serves the research site (``SIGNALBOT_SITE_DIR``)."""

    @field_validator("site_serve", mode="before")
    @classmethod
    def _serve(cls, value: Any) -> str:
        text = str(value).strip().lower()
        if text not in ("on", "off"):
            raise ValueError(f"must be on or off (got {value!r})")
        return text
