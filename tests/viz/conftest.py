"""Fixtures of the picture tests.

Which fixture to use when:

* ``decided`` — the example story with an overloading decision and a red-list record
  (``tests/viz/network.py``) in the parametrised ``store`` (memory and real Neo4j): for the
  views of query answers, whose lookups run on both stores.
* ``decided_memory`` — the same in a memory store, for HTML, masking and API tests.
* ``browser`` — one headless Chromium (Debian ``chromium`` + ``chromium-driver``, driven by
  selenium through ``/usr/bin/chromedriver``; nothing is downloaded) for the whole session,
  with every outside host unresolvable.  Missing locally, browser tests are skipped; with
  ``CI=true`` (or ``CREDITLINK_REQUIRE_BROWSER=1``) they FAIL — CI never passes by skipping.
* ``live_api`` — the API on a loopback port (uvicorn in a thread) over ``decided_memory``,
  with a key per role: what the investigation page talks to.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import uvicorn

from api.app import create_app
from api.security import Role
from graph.model import load_model
from graph.settings import Settings
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from tests.api.conftest import KEYS, make_api, write_keys_file
from tests.viz.network import Decided, load_decided_story
from viz.png import CHROMIUM_ISOLATION_FLAGS

__all__ = ["make_api"]  # the API tests' fixture, for the picture routes

CHROMEDRIVER = os.environ.get("CREDITLINK_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CREDITLINK_CHROMIUM", "/usr/bin/chromium")
#: URL schemes a page may load without the network.
LOCAL_SCHEMES = ("data:", "blob:", "file:", "about:", "chrome:", "chrome-extension:", "devtools:")


def browser_required() -> bool:
    """CI (or an explicit request) turns a missing browser into a failure."""
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("CREDITLINK_REQUIRE_BROWSER") == "1"
    )


def _unavailable(reason: str) -> None:
    if browser_required():
        pytest.fail(f"headless Chromium is required here but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def decided(store: GraphStore) -> Decided:
    return load_decided_story(store)


@pytest.fixture
def decided_memory() -> tuple[MemoryStore, Decided]:
    store = MemoryStore(load_model())
    return store, load_decided_story(store)


@dataclass
class Browser:
    """A selenium driver and the requests its pages made."""

    driver: Any

    def open(self, url: str, *, ready_timeout: float = 60.0) -> float:
        """Load ``url`` and wait until the page says its layout is done; seconds taken."""
        self.driver.get_log("performance")  # forget earlier pages' requests and messages
        self.driver.get_log("browser")
        started = time.monotonic()
        self.driver.get(url)
        self.wait_ready(ready_timeout)
        return time.monotonic() - started

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until ``document.body.dataset.ready`` is "true"."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.driver.execute_script("return document.body.dataset.ready === 'true'"):
                return
            time.sleep(0.05)
        raise AssertionError(f"the page did not settle in {timeout} s")

    def js(self, script: str, *args: Any) -> Any:
        """Run ``script`` in the page and return its value."""
        return self.driver.execute_script(script, *args)

    def outside_requests(self) -> list[str]:
        """URLs the browser tried to fetch from a host other than loopback, since the last
        :meth:`open` (from Chromium's network log)."""
        found = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] != "Network.requestWillBeSent":
                continue
            url = message["params"]["request"]["url"]
            if url.startswith(LOCAL_SCHEMES):
                continue
            host = urlparse(url).hostname or ""
            if host not in {"127.0.0.1", "localhost", "::1"}:
                found.append(url)
        return found

    def console_errors(self) -> list[str]:
        """Severe console messages (script errors, CSP violations)."""
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (Path(path).exists() or shutil.which(path)):
            _unavailable(f"{path} is missing (Debian package {package}; scripts/install-test-deps)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="creditlink-chromium-")
    for flag in (*CHROMIUM_ISOLATION_FLAGS, f"--user-data-dir={profile}", "--window-size=1400,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # An explicit driver path: selenium-manager never looks for (or downloads) a driver.
    service = Service(executable_path=CHROMEDRIVER)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except Exception as err:  # any failure to start means "no usable browser here"
        _unavailable(f"Chromium did not start ({type(err).__name__}: {err})")
    driver.set_script_timeout(60)
    yield Browser(driver)
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@dataclass
class LiveApi:
    """The API on loopback, its base URL and the story it serves."""

    url: str
    decided: Decided
    store: GraphStore

    def key(self, role: Role | str) -> str:
        """The API key of ``role``."""
        return KEYS[Role(role)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_api() -> Iterator[LiveApi]:
    store = MemoryStore(load_model())
    decided = load_decided_story(store)
    data_dir = Path(tempfile.mkdtemp(prefix="creditlink-live-"))
    settings = Settings(
        store="memory", data_dir=data_dir, api_keys_file=write_keys_file(data_dir / "keys.yaml")
    )
    app = create_app(settings, store=store)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start on loopback")
        time.sleep(0.05)
    yield LiveApi(url=f"http://127.0.0.1:{port}", decided=decided, store=store)
    server.should_exit = True
    thread.join(timeout=10)
    shutil.rmtree(data_dir, ignore_errors=True)
