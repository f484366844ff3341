"""Remake the README's seminar screenshots: the umpire's console and a team's page.

    .venv/bin/python docs/seminar_screenshots.py [--out docs]

Starts a game on the baseline scenario (blue plays the US, ROK and Japan; red plays Russia and
the DPRK), gives both teams a few standing orders, plays one turn, serves it on a free port of
127.0.0.1 and photographs the first screen of two pages in headless Chromium at 1440×1100 (the
umpire's after computing the odds before the roll):
docs/seminar-umpire.png and docs/seminar-team.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/chrome.py: the one way this project starts Chromium

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from axis_sim.seminar import engine  # noqa: E402
from axis_sim.seminar.server import running  # noqa: E402
from axis_sim.seminar.store import GameStore  # noqa: E402
from tests.chrome import start_chrome  # noqa: E402


def example_game(path: Path) -> GameStore:
    """A game one turn in, with orders standing for the second turn."""
    game = engine.new_game(ROOT / "scenarios" / "baseline.yaml",
                           teams={"blue": ["US", "ROK", "Japan"], "red": ["Russia", "DPRK"]})
    game = engine.submit(game, "blue", "option:sanctions_listing", 1.0,
                         "cut the rail trade's financing")
    game = engine.submit(game, "red", "DPRK.posture", "signalling", "keep Seoul guessing")
    game = engine.adjudicate(game)
    game = engine.submit(game, "red", "DPRK.icbm_launch", True, "answer the sanctions")
    game = engine.mark_ready(game, "red")
    game = engine.set_phase(game, "orders", 20)
    return GameStore.create(path, game)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        store = example_game(Path(folder) / "room.db")
        seats = {seat.team or seat.role: seat.token for seat in store.seats()}
        with running(store.path) as url:
            driver = start_chrome(1440, 1100)
            try:
                driver.get(f"{url}/join/{seats['facilitator']}")
                page = driver.find_element(By.TAG_NAME, "html")
                driver.find_element(By.ID, "compute-odds").click()  # odds before the roll
                WebDriverWait(driver, 300).until(expected_conditions.staleness_of(page))
                for name, seat in (("umpire", "facilitator"), ("team", "blue")):
                    driver.get(f"{url}/join/{seats[seat]}")
                    target = args.out / f"seminar-{name}.png"
                    driver.save_screenshot(str(target))
                    print(target)
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
