"""The first screen of the dashboard at 1440 × 900 and 1024 × 768, for the README.

    .venv/bin/python docs/screenshots.py                      # runs the baseline (500 worlds)
    .venv/bin/python docs/screenshots.py --dashboard results/<run>/dashboard.html

Without `--dashboard` it runs `axis-sim run scenarios/baseline.yaml --runs 500` into a temporary
folder. Writes `docs/dashboard-1440.png` and `docs/dashboard-1024.png` (the viewport, as a
reader first sees it; headless Chromium, network off). Needs Debian's `chromium` and
`chromium-driver`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = ((1440, 900), (1024, 768))


def shoot(dashboard: Path) -> list[Path]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--window-size=1440,900"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "chromium"
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"),
                              options=options)
    written = []
    try:
        for width, height in SIZES:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            driver.get("about:blank")
            driver.get(dashboard.resolve().as_uri())
            WebDriverWait(driver, 120).until(lambda d: d.execute_script(
                "return document.readyState === 'complete' && !!window.axisDashboard"))
            driver.execute_script("return new Promise(done => setTimeout(done, 500))")
            path = HERE / f"dashboard-{width}.png"
            driver.save_screenshot(str(path))
            written.append(path)
    finally:
        driver.quit()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard", type=Path, help="an existing dashboard.html")
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    if args.dashboard:
        paths = shoot(args.dashboard)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "run"
            exe = Path(sys.executable).with_name("axis-sim")
            subprocess.run([str(exe) if exe.exists() else "axis-sim", "run",
                            str(ROOT / "scenarios" / "baseline.yaml"), "--runs", str(args.runs),
                            "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
            paths = shoot(out / "dashboard.html")
    for path in paths:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
