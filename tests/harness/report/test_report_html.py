"""report.html in headless Chromium: no console errors, every image loads, nothing is fetched
from the network, no sideways scrolling on a laptop screen; a screenshot is saved.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON
messages ending in a NUL byte on file descriptors 3 and 4), which needs no websocket client.
CI installs Debian's ``chromium``; without it the test is skipped.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

LAPTOP = (1366, 768)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
]


@dataclass
class PageCheck:
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    scroll_width: int = 0
    screenshot: bytes = b""


class Chromium:
    """A headless Chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, binary: str, profile: Path, timeout: float = 90.0) -> None:
        self.timeout = timeout
        to_chrome_r, self._write = os.pipe()
        self._read, from_chrome_w = os.pipe()

        def on_fds_3_and_4() -> None:  # F_DUPFD copies are inheritable, unlike os.dup's
            read_end = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=on_fds_3_and_4,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its answer; events meanwhile go to ``events``."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(time.monotonic() + self.timeout)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._receive(deadline))

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from chromium")
            if select.select([self._read], [], [], remaining)[0]:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def check(self, url: str) -> PageCheck:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        sid = session["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable", session=sid)
        width, height = LAPTOP
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=sid,
        )
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=sid)
        self.wait_for("Page.loadEventFired")
        script = (
            "JSON.stringify({images: Array.from(document.images).map(i => ({src: "
            "i.src.slice(0, 40), complete: i.complete, width: i.naturalWidth})), "
            "scrollWidth: document.documentElement.scrollWidth})"
        )
        answer = self.call(
            "Runtime.evaluate", {"expression": script, "returnByValue": True}, session=sid
        )
        page = json.loads(answer["result"]["value"])
        shot = self.call("Page.captureScreenshot", {"format": "png"}, session=sid)
        check = PageCheck(
            images=page["images"],
            scroll_width=page["scrollWidth"],
            screenshot=base64.b64decode(shot["data"]),
        )
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                check.errors.append(str([a.get("value") for a in params.get("args", [])]))
            elif method == "Runtime.exceptionThrown":
                check.errors.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                check.errors.append(str(params["entry"].get("text")))
            elif method == "Network.requestWillBeSent":
                check.requests.append(params["request"]["url"])
        return check

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._read)
        os.close(self._write)


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_opens_offline_in_chromium_without_errors(report_dir: Path, tmp_path: Path):
    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium is not installed (CI: apt-get install -y chromium)")
    html = report_dir / "report.html"
    browser = Chromium(binary, tmp_path / "profile")
    try:
        page = browser.check(html.resolve().as_uri())
    finally:
        browser.close()
    screenshot = report_dir / "screenshot.png"
    screenshot.write_bytes(page.screenshot)
    print(f"screenshot: {screenshot}")

    assert page.errors == []
    n_figures = len(list((report_dir / "figures").glob("*.png")))
    assert len(page.images) == n_figures > 0
    assert [i for i in page.images if not (i["complete"] and i["width"] > 0)] == []
    assert all(i["src"].startswith("data:image/png;base64,") for i in page.images)
    assert [u for u in page.requests if not u.startswith(("file:", "data:"))] == []
    assert page.scroll_width <= LAPTOP[0]
    assert page.screenshot.startswith(b"\x89PNG")


def test_a_broken_page_is_caught(tmp_path: Path):
    """The check itself fails on a console error and on an image that does not load."""
    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium is not installed (CI: apt-get install -y chromium)")
    page_file = tmp_path / "broken.html"
    page_file.write_text(
        '<html><body><img src="data:image/png;base64,iVBORw0KGgo=">'
        '<script>console.error("boom")</script></body></html>'
    )
    browser = Chromium(binary, tmp_path / "profile")
    try:
        page = browser.check(page_file.as_uri())
    finally:
        browser.close()
    assert any("boom" in e for e in page.errors)
    assert page.images == [{"src": page.images[0]["src"], "complete": True, "width": 0}]
