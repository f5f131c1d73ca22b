"""Benchmark: how long each page of the demo is, for every role — every link in its menus and module tabs.

    .venv/bin/python bench/page_heights.py                     # the demo's 5,000 enterprises
    .venv/bin/python bench/page_heights.py --enterprises 600 --roles city,wuxing

The script builds a fresh SQLite demo (`kuochan demo-data`, not timed) in `var/bench/page-heights`, serves it
(`runserver`, DEBUG for the static files, as `make demo` does) and, in headless Chromium at 1366×768, signs
in as each role, collects the links of its top menu, account menu and each module's tabs, opens each and
measures the whole page's height and the time until the page is idle. It prints one line per page, the
longest first, marking those over six screens (6 × 768 = 4,608 px), and the heights as JSON.

Target ([workbench]): no page in the demo longer than about 6 screens at 1366×768.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from harness import ROOT, WORK

PASSWORD = "kuochan-demo-2026"
SCREEN = 768
LIMIT = 6 * SCREEN
ROLES = ("city", "wuxing", "qiye", "leader", "admin", "sysadmin", "secadmin", "auditor")
LINKS = """() => [...document.querySelectorAll(
  'nav[aria-label="功能模块"] a[href], header .dropdown-menu a.dropdown-item[href], ul.nav-tabs a[href]'
)].map(a => a.getAttribute('href'))"""


def kuochan(var: Path, *arguments: str, **popen: object) -> subprocess.Popen:
    env = {**os.environ, "KUOCHAN_VAR": str(var), "DEBUG": "1", "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "kuochan", *arguments], env=env, **popen)


def build(var: Path, enterprises: int) -> None:
    for arguments in (
        ("migrate", "--noinput", "-v0"),
        ("load-reference",),
        ("demo-data", "--enterprises", str(enterprises)),
    ):
        if kuochan(var, *arguments, stdout=subprocess.DEVNULL).wait():
            raise SystemExit(f"kuochan {' '.join(arguments)} failed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the demo server did not start")


def measure(url: str, roles: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for role in roles:
            context = browser.new_context(viewport={"width": 1366, "height": SCREEN}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{url}/login/")
            page.get_by_label("用户名").fill(role)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state("networkidle")
            seen: set[str] = set()
            queue = [urlsplit(page.url).path]
            while queue:
                href = queue.pop(0)
                if href in seen or not href.startswith("/") or href.startswith("/api/"):
                    continue
                seen.add(href)
                start = time.perf_counter()
                response = page.goto(f"{url}{href}")
                page.wait_for_load_state("networkidle")
                seconds = time.perf_counter() - start
                height = page.evaluate("() => document.documentElement.scrollHeight")
                found.append(
                    {
                        "role": role,
                        "page": href,
                        "title": page.title().split(" · ")[0],
                        "status": response.status if response else None,
                        "height": height,
                        "seconds": round(seconds, 2),
                    }
                )
                queue.extend(link for link in page.evaluate(LINKS) if link not in seen)
            context.close()
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--roles", default=",".join(ROLES))
    options = parser.parse_args()
    var = WORK / f"page-heights-{options.enterprises}"
    if not (var / "kuochan.sqlite3").exists():
        var.mkdir(parents=True, exist_ok=True)
        build(var, options.enterprises)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = kuochan(var, "runserver", "--noreload", f"127.0.0.1:{port}", stderr=subprocess.DEVNULL)
    try:
        wait_for(url)
        found = measure(url, options.roles.split(","))
    finally:
        server.terminate()
        server.wait()
    found.sort(key=lambda row: -row["height"])
    print(f"{'高度(px)':>9} {'屏':>5} {'秒':>6} {'角色':<9} 页面")
    for row in found:
        mark = "  ← 超过 6 屏" if row["height"] > LIMIT else ""
        print(
            f"{row['height']:>9,} {row['height'] / SCREEN:>5.1f} {row['seconds']:>6.2f} {row['role']:<9} "
            f"{row['page']} {row['title']} (HTTP {row['status']}){mark}"
        )
    longer = [row for row in found if row["height"] > LIMIT]
    print(f"\n{len(found)} 个页面，{len(longer)} 个超过 6 屏（{LIMIT:,} px）。")
    print(json.dumps(found, ensure_ascii=False))


if __name__ == "__main__":
    main()
