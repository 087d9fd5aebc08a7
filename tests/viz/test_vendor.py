"""The vendored vis-network build: the file we checked, with its licences, shipped."""

from __future__ import annotations

import hashlib
import re

from viz.document import VIS_NETWORK_VERSION
from viz.render import STATIC_DIR

VENDOR = STATIC_DIR / "vendor"
#: sha256 of vis-network 10.1.5 standalone/umd/vis-network.min.js without its
#: sourceMappingURL line (viz/static/vendor/README.md says how it was made).
SHIPPED_SHA256 = "af323cf36a669fbcf5a265070b4ca2c5deb7293b5e6b19c9d6ef486fdd720828"


def test_vendored_bundle_is_the_checked_one() -> None:
    data = (VENDOR / "vis-network.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SHIPPED_SHA256
    assert f"@version {VIS_NETWORK_VERSION}".encode() in data[:400]
    assert b"sourceMappingURL" not in data  # no map to fetch
    assert b"</script" not in data.lower()


def test_licences_are_shipped() -> None:
    assert "MIT License" in (VENDOR / "LICENSE-MIT").read_text(encoding="utf-8")
    assert "Apache License" in (VENDOR / "LICENSE-APACHE-2.0").read_text(encoding="utf-8")
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert VIS_NETWORK_VERSION in readme and SHIPPED_SHA256 in readme


def test_bundle_loads_nothing_by_itself() -> None:
    # The standalone build injects its CSS and needs no other file: no script or style
    # loader, no import of another module.
    text = (VENDOR / "vis-network.min.js").read_text(encoding="utf-8")
    assert not re.search(r"""import\s*\(\s*["']|importScripts\(|\.src\s*=\s*["']https?:""", text)
