"""Two browsers as two devices of one account, in headless Chromium against the live server.

Each driver is its own profile (its own cookies); the phone's screen is 360 CSS pixels
wide, and every page it opens must fit it without scrolling sideways. Screenshots land
in ``var/screenshots/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import EMAIL, PASSWORD
from tests.web import CHROME

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("RIX_AUTH_BROWSER") != "1", reason="set RIX_AUTH_BROWSER=1 (make test-browser)"),
]
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def chromium(user_agent: str, width: int | None = None) -> WebDriver:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    arguments = ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900")
    for argument in (*arguments, f"--user-agent={user_agent}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    if width is not None:  # a phone's viewport, whatever the window
        metrics = {"width": width, "height": 780, "deviceScaleFactor": 2, "mobile": True}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    return driver


@pytest.fixture
def devices(static_files: None, live_server: Any, settings: Any) -> Iterator[tuple[WebDriver, WebDriver]]:
    settings.ROOT_URLCONF = "tests.web"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    laptop, phone = chromium(CHROME), chromium(IPHONE, width=360)
    try:
        yield laptop, phone
    finally:
        laptop.quit()
        phone.quit()


class Device:
    """One browser: opens pages, fills forms as a person would, and checks the page fits."""

    def __init__(self, driver: WebDriver, base: str, name: str) -> None:
        self.driver, self.base, self.name = driver, base, name

    def open(self, path: str, shot: str) -> str:
        self.driver.get(self.base + path)
        return self.look(shot)

    def look(self, shot: str) -> str:
        """The page's text, after a screenshot and the check that nothing overflows sideways."""
        self.driver.save_screenshot(str(SCREENSHOTS / f"{self.name}-{shot}.png"))
        wide, viewport = self.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= viewport, (self.name, shot, wide, viewport)
        return str(self.driver.find_element(By.TAG_NAME, "main").text)

    def fill(self, path: str, shot: str, **fields: str) -> str:
        self.open(path, f"{shot}-form")
        for name, value in fields.items():
            field = self.driver.find_element(By.NAME, name)
            field.send_keys(value)
        field.send_keys(Keys.ENTER)  # submits the field's own form, from the keyboard
        return self.look(shot)

    def devices(self) -> list[str]:
        """Each listed device's heading cell: its name, and "This device" for the one asking."""
        cells = self.driver.find_elements(By.CSS_SELECTOR, "tbody th")
        return [" ".join(cell.text.split()) for cell in cells]

    def press(self, selector: str, shot: str) -> str:
        self.driver.find_element(By.CSS_SELECTOR, selector).click()
        return self.look(shot)


def test_two_devices_see_each_other_one_signs_the_other_out_then_everywhere(
    devices: tuple[WebDriver, WebDriver], live_server: Any
) -> None:
    laptop, phone = Device(devices[0], live_server.url, "laptop"), Device(devices[1], live_server.url, "phone")
    assert "Account created." in laptop.fill("/account/register/", "registered", email=EMAIL, password=PASSWORD)
    phone.fill("/account/sign-in/", "signed-in", email=EMAIL, password=PASSWORD)
    assert phone.devices() == ["Safari 17 on iPhone This device", "Chrome 120 on Linux"]
    laptop.open("/account/devices/", "two-devices")
    assert laptop.devices() == ["Chrome 120 on Linux This device", "Safari 17 on iPhone"]
    assert "Signed out of Safari 17 on iPhone." in laptop.press("tbody tr:not(.current) button", "revoked-phone")
    assert laptop.devices() == ["Chrome 120 on Linux This device"]

    page = phone.open("/account/devices/", "told")
    assert "You were signed out on this device." in page and phone.driver.current_url.endswith(
        "/account/sign-in/?next=/account/devices/"
    )
    phone.fill("/account/sign-in/", "signed-in-again", email=EMAIL, password=PASSWORD)
    laptop.open("/account/devices/", "before-everywhere")
    page = laptop.fill("/account/devices/", "everywhere", password=PASSWORD)
    assert "Signed out everywhere." in page
    assert "You were signed out on this device." in phone.open("/account/devices/", "told-everywhere")
    phone.open("/account/register/", "register-page")  # the last page not yet seen at 360 px
    phone.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    ring = phone.driver.execute_script(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]"
    )
    assert ring == ["solid", "3px"]  # the keyboard's focus is visible
