"""Picture layout at 100-500 nodes: time to a still picture, and edge crossings.

Each picture is the related-parties answer (3 hops) around the seed of a wide network
(``tests/viz/network.py``), drawn in headless Chromium (Debian ``chromium`` through
``/usr/bin/chromedriver``, outside hosts unresolvable) exactly as shipped: started from
rings around the seed (``viz/layout.py``), a bounded number of ForceAtlas2 iterations,
then physics off.  Baselines in the same run: the same picture started from vis-network's
random positions with the same iterations, and with 1000 iterations.  Crossings (pairs of
straight edges that cross, from the final positions) stand for legibility.

Run: ``python -m bench.viz [--repeat 3]``; writes the ``viz`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.report import machine_line, write_section
from graph.model import load_model
from graph.stores.memory import MemoryStore
from queries.related import related
from tests.viz.network import load_wide_network
from viz.png import CHROMIUM_ISOLATION_FLAGS
from viz.render import Picture
from viz.views import related_view

#: (officers, companies per officer) -> 1 + officers * (1 + 4 * companies) nodes.
SIZES = ((5, 5), (7, 7), (8, 9), (10, 10), (11, 11))
Point = tuple[float, float]


def _crosses(a: Point, b: Point, c: Point, d: Point) -> bool:
    def turn(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return turn(a, b, c) * turn(a, b, d) < 0 and turn(c, d, a) * turn(c, d, b) < 0


def crossings(positions: dict[str, dict[str, float]], edges: list[tuple[str, str]]) -> int:
    """Pairs of edges (sharing no end) whose straight segments cross."""
    segments = [
        (a, b, (positions[a]["x"], positions[a]["y"]), (positions[b]["x"], positions[b]["y"]))
        for a, b in edges
    ]
    count = 0
    for i, (a1, b1, p1, q1) in enumerate(segments):
        for a2, b2, p2, q2 in segments[i + 1 :]:
            if {a1, b1} & {a2, b2}:
                continue
            count += _crosses(p1, q1, p2, q2)
    return count


def _variant(page: str, *, random_start: bool, iterations: int | None) -> str:
    """The same page with the start positions removed and/or other iterations."""
    head, _, rest = page.partition('<script id="picture-data" type="application/json">')
    data, _, tail = rest.partition("</script>")
    document = json.loads(data)
    if random_start:
        for node in document["nodes"]:
            node.pop("x")
            node.pop("y")
    if iterations is not None:
        document["options"]["physics"]["stabilization"]["iterations"] = iterations
    text = json.dumps(document, ensure_ascii=False).replace("<", "\\u003c")
    return f'{head}<script id="picture-data" type="application/json">{text}</script>{tail}'


def _driver() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    options.page_load_strategy = "none"  # return at once; _measure waits for the layout
    for flag in (
        *CHROMIUM_ISOLATION_FLAGS,
        f"--user-data-dir={tempfile.mkdtemp(prefix='creditlink-bench-')}",
        "--window-size=1400,900",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(
        service=Service(executable_path="/usr/bin/chromedriver"), options=options
    )


def _measure(driver: Any, path: Path) -> tuple[float, int, dict[str, Any]]:
    url = path.as_uri()
    driver.get(url)
    deadline = time.monotonic() + 300
    ready = (
        "return document.URL === arguments[0] && !!document.body"
        " && document.body.dataset.ready === 'true'"
    )
    while not driver.execute_script(ready, url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path.name} did not settle")
        time.sleep(0.05)
    ms, iterations = driver.execute_script(
        "return [creditlinkPicture.ms, creditlinkPicture.iterations]"
    )
    return float(ms), int(iterations), driver.execute_script("return network.getPositions()")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    driver = _driver()
    rows = []
    work = Path(tempfile.mkdtemp(prefix="creditlink-bench-viz-"))
    try:
        for officers, companies in SIZES:
            store = MemoryStore(load_model())
            wide = load_wide_network(store, officers=officers, companies=companies)
            result = related(store, wide.seed, hops=3, as_of=date(2022, 1, 1))
            picture = Picture(related_view(store, result))
            shipped = picture.html()
            ids = {n.uid: n.id for n in picture.document.nodes}
            edges = [(e.from_, e.to) for e in picture.document.edges]
            assert len(ids) == wide.nodes
            variants = {
                "shipped": shipped,
                "random start": _variant(shipped, random_start=True, iterations=None),
                "random start, 1000 it.": _variant(shipped, random_start=True, iterations=1000),
            }
            figures: dict[str, tuple[float, float, int]] = {}
            for name, page in variants.items():
                path = work / f"{wide.nodes}-{name.replace(' ', '_')}.html"
                path.write_text(page, encoding="utf-8")
                runs = [_measure(driver, path) for _ in range(args.repeat)]
                ms = statistics.median(r[0] for r in runs)
                cross = statistics.median(crossings(r[2], edges) for r in runs)
                figures[name] = (ms, cross, runs[0][1])
                print(wide.nodes, name, f"{ms:.0f} ms", f"{cross:.0f} crossings", flush=True)
            rows.append((wide.nodes, figures))
    finally:
        driver.quit()
    load = f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    lines = [
        "## Pictures: layout at 100-500 nodes (`bench/viz.py`)",
        "",
        machine_line(),
        f"Headless Chromium, related parties (3 hops) of a wide network; median of "
        f"{args.repeat} runs. *ms*: from creating the network to a still picture (physics "
        "off); *crossings*: pairs of edges that cross in the final layout (fewer = more "
        "legible; the layout is seeded, so crossings repeat exactly). Baselines: vis-network's "
        "random start with the same iterations, and with 1000 iterations. The machine is "
        f"shared ({load}): times vary from run to run, compare within a row.",
        "",
        "| nodes | iterations | shipped ms | shipped crossings | random-start ms | "
        "random-start crossings | crossings ratio | random 1000 it. ms | crossings |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for nodes, f in rows:
        ms, cross, iterations = f["shipped"]
        rms, rcross, _ = f["random start"]
        lms, lcross, _ = f["random start, 1000 it."]
        ratio = f"{rcross / cross:.1f}x" if cross else "—"
        lines.append(
            f"| {nodes} | {iterations} | {ms:.0f} | {cross:.0f} | {rms:.0f} | {rcross:.0f} | "
            f"{ratio} | {lms:.0f} | {lcross:.0f} |"
        )
    write_section("viz", "\n".join(lines))


if __name__ == "__main__":
    main()
