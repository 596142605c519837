"""A person with a browser: Debian's Chromium, driven by Selenium through Debian's chromium-driver, against
the service run by uvicorn on a free loopback port. Logs in with a token, uploads a TMX from
../shared/data, waits for the report, opens it, and searches the library in Chinese and Thai."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lancang.serve.app import Settings, create_app
from lancang.serve.auth import create_token
from lancang.store import open_store

from .helpers import index_pud, tmx


def browser_binaries() -> tuple[str, str]:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if exe is None or driver is None:
        missing = "chromium" if exe is None else "chromium-driver"
        if os.environ.get("LANCANG_REQUIRE_CHROMIUM"):
            pytest.fail(f"{missing} is required here (LANCANG_REQUIRE_CHROMIUM is set) but not installed")
        pytest.skip(f"Debian's {missing} is not installed (apt-get install chromium chromium-driver)")
    return exe, driver


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The service under uvicorn on 127.0.0.1 (a port the kernel chose): (base URL, a submit token)."""
    import uvicorn

    db = str(tmp_path / "lib.sqlite")
    index_pud(db, tmp_path)
    with open_store(db) as store:
        token = create_token(store, "alice", "submit")[1]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(Settings(db, tmp_path / "files", workers=1))
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < end and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", token
    finally:
        srv.should_exit = True
        thread.join(30)
        sock.close()


def test_a_person_checks_a_tmx_and_searches_the_library(server: tuple[str, str], tmp_path: Path) -> None:
    exe, driver_path = browser_binaries()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, token = server
    opts = webdriver.ChromeOptions()
    opts.binary_location = exe
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}", "--lang=zh-CN"):
        opts.add_argument(arg)
    browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    wait = WebDriverWait(browser, 120)
    try:
        browser.get(base + "/login?lang=zh")
        assert browser.find_element(By.TAG_NAME, "h1").text == "登录"
        browser.find_element(By.ID, "token").send_keys(token)
        browser.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "who"), "已登录：alice（submit）"))

        browser.find_element(By.ID, "nav-upload").click()
        browser.find_element(By.ID, "file").send_keys(str(tmx()))
        browser.find_element(By.CSS_SELECTOR, "input[name=profile][value='tmx-1.4b']").click()
        browser.find_element(By.ID, "name").send_keys("段落")
        browser.find_element(By.ID, "submit").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#state[data-state=done]")))
        assert browser.find_element(By.ID, "verdict").text == "conformant"

        browser.find_element(By.ID, "open-report").click()
        verdict = wait.until(ec.presence_of_element_located((By.ID, "verdict")))
        assert verdict.get_attribute("data-verdict") == "conformant" and verdict.text == "符合"
        assert "Paragraph_TM.tmx" in browser.page_source
        assert "tmx-1.4b" in browser.page_source

        browser.get(base + "/search")
        browser.find_element(By.ID, "q").send_keys("北京")
        browser.find_element(By.ID, "side").send_keys("zh")
        browser.find_element(By.ID, "tgt").send_keys("th")
        browser.find_element(By.ID, "go").click()
        rows = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "#hits tr.hit-row")))
        assert rows and all(r.find_element(By.CLASS_NAME, "hit").text == "北京" for r in rows)
        aligned = rows[0].find_element(By.CSS_SELECTOR, ".aligned[lang=th]").text
        assert aligned.startswith("th: ") and any("\u0e00" <= ch <= "\u0e7f" for ch in aligned)
        assert browser.find_element(By.ID, "summary").text.startswith("第 1–")

        box = browser.find_element(By.ID, "q")
        box.clear()
        box.send_keys("ประเทศ")
        side = browser.find_element(By.ID, "side")
        side.clear()
        side.send_keys("th")
        tgt = browser.find_element(By.ID, "tgt")
        tgt.clear()
        tgt.send_keys("zh")
        old = browser.find_element(By.ID, "hits")
        browser.find_element(By.ID, "go").click()
        wait.until(ec.staleness_of(old))
        rows = browser.find_elements(By.CSS_SELECTOR, "#hits tr.hit-row")
        assert rows and all(r.find_element(By.CLASS_NAME, "hit").text == "ประเทศ" for r in rows)
        assert rows[0].find_element(By.CSS_SELECTOR, ".aligned[lang=zh-Hant]").text.startswith("zh-Hant: ")

        browser.get(base + "/")
        names = [e.get_attribute("data-corpus") for e in browser.find_elements(By.CSS_SELECTOR, "#corpora tbody tr")]
        assert names == ["pud", "段落"]
    finally:
        browser.quit()
