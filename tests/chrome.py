"""Headless Chromium for the browser tests: one way to start it, so every test file runs the
page under the same flags (network off the page's path, no first-run noise)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def start_chrome(width: int = 1440, height: int = 900, *, logs: tuple[str, ...] = ("browser",),
                 downloads: Path | None = None) -> Any:
    """A headless Chromium driver at `width` × `height` that keeps the `logs` named (browser
    console, performance for network requests) and, with `downloads`, saves files there
    without asking. The caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (*FLAGS, f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    if logs:
        options.set_capability("goog:loggingPrefs", dict.fromkeys(logs, "ALL"))
    if downloads is not None:
        options.add_experimental_option("prefs", {
            "download.default_directory": str(downloads), "download.prompt_for_download": False,
            "profile.default_content_setting_values.automatic_downloads": 1})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(120)
    if downloads is not None:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
    return driver
