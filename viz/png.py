"""Static export: a picture as a PNG, rendered by headless Chromium, offline.

For reports (and the bidding HTML report), a picture is opened in headless Chromium from
the Debian package ``chromium`` — never a downloaded browser — with every outside host
made unresolvable and no proxy, the layout is allowed to settle (virtual time), and the
window is captured: title, network, legend and footer.  Chinese labels need a CJK font
(Debian ``fonts-noto-cjk`` or ``fonts-wqy-microhei``).

``CREDITLINK_CHROMIUM`` names another binary (e.g. ``chromium-browser``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from graph.exc import CreditlinkError
from viz.render import Picture

__all__ = [
    "CHROMIUM_ISOLATION_FLAGS",
    "BrowserUnavailable",
    "chromium_path",
    "export_png",
]

#: Flags that keep a headless Chromium from talking to anyone: no outside host resolves,
#: no proxy, no QUIC, no background, component-update or sync traffic.
CHROMIUM_ISOLATION_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
#: Virtual milliseconds granted to the layout before the capture (stabilising 500 nodes
#: takes a few seconds of real time; virtual time runs the timers at once).
LAYOUT_BUDGET_MS = 30_000


class BrowserUnavailable(CreditlinkError):
    """No headless Chromium to render with."""

    status = 503
    title = "Browser unavailable"


def chromium_path() -> str:
    """The Chromium binary: ``$CREDITLINK_CHROMIUM``, else the first on ``PATH``."""
    named = os.environ.get("CREDITLINK_CHROMIUM")
    if named:
        return named
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(
        "PNG export needs headless Chromium: install the Debian package 'chromium' "
        "(and a CJK font such as 'fonts-noto-cjk'), or set CREDITLINK_CHROMIUM"
    )


def export_png(
    picture: Picture | Path,
    out: Path,
    *,
    width: int = 1600,
    height: int = 1000,
    scale: float = 1.0,
    timeout: float = 120.0,
) -> Path:
    """Render ``picture`` (a :class:`~viz.render.Picture` or an HTML file) to ``out``."""
    if not (200 <= width <= 8000 and 200 <= height <= 8000 and 0.5 <= scale <= 4):
        raise ValueError("width and height must be 200..8000 pixels, scale 0.5..4")
    binary = chromium_path()
    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="creditlink-png-") as tmp:
        work = Path(tmp)
        if isinstance(picture, Picture):
            page = picture.save(work / "picture.html")
        else:
            page = picture.resolve()
        command = [
            binary,
            *CHROMIUM_ISOLATION_FLAGS,
            f"--user-data-dir={work / 'profile'}",
            f"--window-size={width},{height}",
            f"--force-device-scale-factor={scale}",
            f"--virtual-time-budget={LAYOUT_BUDGET_MS}",
            f"--screenshot={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise BrowserUnavailable(f"Chromium failed to render {page.name}: {err}") from err
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BrowserUnavailable(f"Chromium could not render the picture: {' / '.join(tail)}")
    return out
