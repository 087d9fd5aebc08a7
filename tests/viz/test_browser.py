"""Pictures and the investigation page in a real headless Chromium, with the network blocked.

Few and fast: one small picture, one at picture scale (411 nodes), the PNG export, and the
investigation page driven search -> expand -> filter -> date -> why against a live API on
loopback.  Every test checks that the browser asked no host but loopback.
Screenshots go to ``$CREDITLINK_TEST_ARTIFACTS`` (default: the test's tmp dir).
"""

from __future__ import annotations

import os
import struct
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from api.security import Role
from graph.model import load_model
from graph.stores.base import Subgraph
from graph.stores.memory import MemoryStore
from queries.related import related
from tests.viz.conftest import Browser, LiveApi
from tests.viz.network import ON, Decided, load_wide_network
from viz.png import export_png
from viz.render import Picture
from viz.view import findings_view
from viz.views import related_view


def _artifacts(tmp_path: Path) -> Path:
    where = Path(os.environ.get("CREDITLINK_TEST_ARTIFACTS", tmp_path))
    where.mkdir(parents=True, exist_ok=True)
    return where


def _drawn(browser: Browser) -> tuple[int, int]:
    counts: list[int] = browser.js(
        "return [network.body.data.nodes.length, network.body.data.edges.length]"
    )
    return counts[0], counts[1]


def test_outside_requests_are_blocked_and_seen(browser: Browser, tmp_path: Path) -> None:
    # The harness itself: a page that asks an outside host is caught (so "none" means none).
    page = tmp_path / "leak.html"
    page.write_text(
        '<!DOCTYPE html><body data-ready="true"><img src="https://cdn.example.com/x.png">',
        encoding="utf-8",
    )
    browser.open(page.as_uri())
    time.sleep(0.3)
    assert browser.outside_requests() == ["https://cdn.example.com/x.png"]


def test_picture_opens_offline_and_settles(
    browser: Browser, decided_memory: tuple[MemoryStore, Decided], tmp_path: Path
) -> None:
    store, case = decided_memory
    result = related(store, case.story.jia, hops=2, as_of=ON)
    page = Picture(related_view(store, result)).save(tmp_path / "related.html")

    seconds = browser.open(page.as_uri())

    assert _drawn(browser) == (len(result.entities) + 1, len(result.entities))
    assert browser.js("return network.physics.physicsEnabled") is False  # frozen after layout
    assert browser.outside_requests() == []
    assert browser.console_errors() == []
    red = browser.js(
        "return network.body.data.nodes.get({filter: n => n.state === 'listed'})"
        ".map(n => n.color.background)"
    )
    assert red == ["#d32f2f"]
    assert seconds < 30
    browser.driver.save_screenshot(str(_artifacts(tmp_path) / "picture-related.png"))


def test_empty_picture_is_ready(browser: Browser, tmp_path: Path) -> None:
    view = findings_view(
        Subgraph(nodes=[], edges=[]), {}, title="nothing", question="q", as_of=None, credit_on=ON
    )
    browser.open(Picture(view).save(tmp_path / "empty.html").as_uri())
    assert _drawn(browser) == (0, 0) and browser.console_errors() == []


@pytest.mark.slow
def test_picture_at_scale_stabilises_and_freezes(browser: Browser, tmp_path: Path) -> None:
    store = MemoryStore(load_model())
    wide = load_wide_network(store)
    result = related(store, wide.seed, hops=3, as_of=date(2022, 1, 1))
    assert 300 <= len(result.entities) + 1 <= 500
    page = Picture(related_view(store, result)).save(tmp_path / "wide.html")

    seconds = browser.open(page.as_uri(), ready_timeout=90)

    assert _drawn(browser) == (wide.nodes, wide.edges)
    stats = browser.js("return [creditlinkPicture.iterations, creditlinkPicture.ms]")
    positions = browser.js("return network.getPositions()")
    time.sleep(0.5)
    assert browser.js("return network.getPositions()") == positions  # nothing moves
    assert browser.outside_requests() == []
    print(f"\n411 nodes: layout {stats[0]} iterations in {stats[1]:.0f} ms, page {seconds:.1f} s")
    browser.driver.save_screenshot(str(_artifacts(tmp_path) / "picture-wide.png"))


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_png_export(
    browser: Browser, decided_memory: tuple[MemoryStore, Decided], tmp_path: Path
) -> None:
    # ``browser`` only makes this test follow the browser tests' skip/fail rule.
    store, case = decided_memory
    picture = Picture(related_view(store, related(store, case.story.jia, hops=2, as_of=ON)))
    out = export_png(picture, _artifacts(tmp_path) / "export.png", width=1200, height=800)
    assert _png_size(out) == (1200, 800)
    assert out.stat().st_size > 20_000  # a drawn picture, not a blank page


# -- the investigation page -----------------------------------------------------------------
def _doc(api: LiveApi, kind: str, key: str, **params: str | int) -> dict[str, object]:
    response = httpx.get(
        f"{api.url}/v1/viz/related/{kind}/{key}",
        params={"format": "json", **params},
        headers={"X-API-Key": api.key(Role.INVESTIGATOR)},
    )
    response.raise_for_status()
    document: dict[str, object] = response.json()
    return document


def _ids(document: dict[str, object], part: str) -> set[str]:
    items = document[part]
    assert isinstance(items, list)
    return {item["id"] for item in items}


def _click_node(browser: Browser, node_id: str, *, double: bool = False) -> None:
    """A real mouse click (or double-click) on a node of the canvas."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = browser.driver.find_element(By.CSS_SELECTOR, "#network canvas")
    x, y, width, height = browser.js(
        "var p = network.canvasToDOM(network.getPositions([arguments[0]])[arguments[0]]);"
        "var c = arguments[1]; return [p.x, p.y, c.clientWidth, c.clientHeight];",
        node_id,
        canvas,
    )
    actions = ActionChains(browser.driver).move_to_element_with_offset(
        canvas, int(x - width / 2), int(y - height / 2)
    )
    (actions.double_click() if double else actions.click()).perform()


def _node_id(browser: Browser, name: str) -> str:
    found: list[str] = browser.js(
        "return creditlinkPage.nodes.getIds({filter: n => n.name === arguments[0]})", name
    )
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def test_investigation_page(browser: Browser, live_api: LiveApi, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    story = live_api.decided.story
    driver = browser.driver
    browser.open(f"{live_api.url}/viz/")
    driver.find_element(By.ID, "api-key").send_keys(live_api.key(Role.INVESTIGATOR), Keys.TAB)
    Select(driver.find_element(By.ID, "hops")).select_by_visible_text("1")

    # search
    driver.find_element(By.ID, "search").send_keys("甲运输")
    driver.find_element(By.ID, "search-button").click()
    WebDriverWait(driver, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f'#results button[data-uid="{story.jia.uid}"]')
    )
    driver.find_element(By.CSS_SELECTOR, f'#results button[data-uid="{story.jia.uid}"]').click()
    browser.wait_ready()
    first = _doc(live_api, "Enterprise", story.jia.key, hops=1)
    assert browser.js("return network.body.data.nodes.length") == len(_ids(first, "nodes"))
    assert set(browser.js("return creditlinkPage.edges.getIds()")) == _ids(first, "edges")

    # expand: double-click 李娜, whose neighbours include 乙物流 (not yet drawn)
    _click_node(browser, _node_id(browser, "李娜"), double=True)
    browser.wait_ready()
    second = _doc(live_api, "Person", story.li.key, hops=1)
    union = _ids(first, "nodes") | _ids(second, "nodes")
    assert set(browser.js("return creditlinkPage.nodes.getIds()")) == union
    assert browser.js("return network.body.data.nodes.length") == len(union)
    assert _node_id(browser, "乙物流有限公司")

    # filter by relationship type: without HAS_CONTACT the phone number has no line left
    edges_before = browser.js("return network.body.data.edges.length")
    driver.find_element(By.CSS_SELECTOR, '#type-filters input[data-type="HAS_CONTACT"]').click()
    shown_types = browser.js("return network.body.data.edges.get().map(e => e.type)")
    assert "HAS_CONTACT" not in shown_types
    assert len(shown_types) == edges_before - 1
    assert browser.js("return network.body.data.nodes.get().map(n => n.kind)").count("Contact") == 0

    # filter by date: on 2021-07-01 王军 is no longer 甲运输's legal representative
    assert _node_id(browser, "王军")
    browser.js(
        "var f = document.getElementById('as-of'); f.value = '2021-07-01';"
        "f.dispatchEvent(new Event('change'));"
    )
    deadline = time.monotonic() + 30
    while browser.js("return creditlinkPage.seeds.length") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    browser.wait_ready()
    names = browser.js("return creditlinkPage.nodes.get().map(n => n.name)")
    assert "王军" not in names and "乙物流有限公司" in names

    # why is the truck red?
    _click_node(browser, _node_id(browser, "吉A12345"))
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "details").is_displayed())
    why = driver.find_element(By.ID, "why").text
    assert "吊销车辆营运证并列入超限超载黑名单" in why
    assert "公路安全保护条例 第66条" in why
    assert "吉交罚〔2021〕9号" in why

    assert browser.outside_requests() == []
    assert browser.console_errors() == []
    driver.save_screenshot(str(_artifacts(tmp_path) / "investigation-page.png"))
