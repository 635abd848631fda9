"""Browser tests: Playwright for Python driving Debian's chromium (never a browser of Playwright's own).

When /usr/bin/chromium is missing and we are root (CI is), it is installed with apt-get; otherwise the tests
fail saying how to install it. Screenshots of the pages go to test-output/admin_ui/ for a person to look at.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.conftest import DATA_DIR, ROOT, TestStack, serve_product
from tests.identity.support_helpers import SUPPORT_PASSWORD, create_support_user

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-output" / "admin_ui"
# No background traffic: this machine reaches no outside host, and Chromium would keep trying.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
expect.set_options(timeout=10_000)


def ensure_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.fail("Debian's chromium is missing: run `apt-get install -y chromium` as root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, timeout=900)
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = ensure_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser profile per test; a script error on the page fails the test."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("dialog", lambda dialog: dialog.accept())
    yield opened
    await context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def server_without_contacts(stack: TestStack) -> Iterator[str]:
    """The product with the contacts service down, and access tokens that expire after three seconds."""
    env = {**stack.env, "CRM_ACCESS_TOKEN_TTL_SECONDS": "3"}
    with serve_product(env, DATA_DIR / "test-server-without-contacts.log",
                       ("tests.admin_ui.server_without", "contacts")) as url:
        yield url


async def sign_in(page: Page, base: str, email: str, password: str) -> None:
    await page.goto(f"{base}/")
    form = page.get_by_role("form", name="Đăng nhập")
    await form.get_by_label("Email").fill(email)
    await form.get_by_label("Mật khẩu").fill(password)
    await form.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("navigation")).to_be_visible()


async def support_sign_in(page: Page, base: str, stack: TestStack) -> None:
    """A new support person (`crm support create-user`) signs in through the shell's support form."""
    await page.goto(f"{base}/")
    await page.get_by_role("button", name="Đăng nhập nhân viên hỗ trợ").click()
    form = page.get_by_role("form", name="Đăng nhập nhân viên hỗ trợ")
    await form.get_by_label("Email").fill(create_support_user(stack))
    await form.get_by_label("Mật khẩu").fill(SUPPORT_PASSWORD)
    await form.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("navigation")).to_be_visible()


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


# The webhook pages' tests use the webhooks tests' real receiver on loopback and real worker, not copies.
from tests.webhooks.conftest import receiver, worker  # noqa: E402, F401
