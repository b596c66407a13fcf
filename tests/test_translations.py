"""Messages follow the active language; codes never do. French ships, complete and compiled."""

from __future__ import annotations

import ast
import gettext
import json
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.html import escape

import rix_auth
from rix_auth import http, throttle
from rix_auth.clock import ManualClock
from rix_auth.error import AuthError, AuthErrorCode
from tests.conftest import EMAIL, PASSWORD
from tests.web import REGISTER, SIGN_IN

PACKAGE = Path(rix_auth.__file__).parent
CATALOG = PACKAGE / "locale" / "fr" / "LC_MESSAGES"
WRONG = {"email": EMAIL, "password": "wrong-password"}
JSON = "application/json"


@dataclass
class Entry:
    """One message of a .po file: its ids, its translations (one per plural form) and flags."""

    msgid: str = ""
    plural: str | None = None
    translations: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def entries(po: Path) -> list[Entry]:
    """The messages of ``po``, header excluded: enough of the format for what makemessages writes."""
    found: list[Entry] = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        entry, target = Entry(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif match := re.match(r'(msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line):
                keyword, text = match[1], ast.literal_eval(match[2])
                if keyword.startswith("msgstr"):
                    entry.translations.append(text)
                target = keyword
                _extend(entry, target, text, new=True)
            elif line.startswith('"') and target is not None:
                _extend(entry, target, ast.literal_eval(line), new=False)
        if entry.msgid:
            found.append(entry)
    return found


def _extend(entry: Entry, keyword: str, text: str, *, new: bool) -> None:
    if keyword == "msgid":
        entry.msgid += text
    elif keyword == "msgid_plural":
        entry.plural = (entry.plural or "") + text
    elif not new:
        entry.translations[-1] += text


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def api(client: Client, method: str, path: str, body: Any = None, content_type: str = JSON) -> tuple[int, str, str]:
    response = client.generic(method, path, "" if body is None else _json(body), content_type=content_type)
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def _json(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body)


# --- the JSON API ---


@pytest.mark.usefixtures("registered")
def test_the_json_api_answers_in_the_active_language_with_the_same_codes(client: Client) -> None:
    calls = [("POST", "/auth/login/", WRONG, JSON), ("GET", "/auth/session/", None, JSON),
             ("POST", "/auth/login/", "email=x", "text/plain"), ("GET", "/auth/login/", None, JSON)]  # fmt: skip
    english = [api(client, *call) for call in calls]
    with translation.override("fr"):
        french = [api(client, *call) for call in calls]
    assert [answer[:2] for answer in french] == [answer[:2] for answer in english] == [
        (401, "invalid_credentials"), (401, "invalid_session"), (415, "unsupported_media_type"),
        (405, "method_not_allowed"),
    ]  # fmt: skip
    assert [answer[2] for answer in english] == [
        "The email or password is incorrect.",
        "Log in first: this request carries no session id.",
        "Send the body as Content-Type: application/json (UTF-8).",
        "GET is not allowed here; use POST.",
    ]
    assert [answer[2] for answer in french] == [
        "L'adresse e-mail ou le mot de passe est incorrect.",
        "Connectez-vous d'abord : cette requête ne porte aucun identifiant de session.",
        "Envoyez le corps avec Content-Type: application/json (UTF-8).",
        "GET n'est pas autorisé ici ; utilisez POST.",
    ]


@pytest.mark.usefixtures("registered")
def test_the_throttle_says_how_many_seconds_to_wait_in_french(client: Client, clock: ManualClock) -> None:
    with translation.override("fr"):
        answers = [client.post("/auth/login/", WRONG, content_type=JSON) for _ in range(6)]
    refused = answers[-1]
    assert [answer.status_code for answer in answers] == [401] * 5 + [429]
    wait = int(refused["Retry-After"])
    assert wait > 1 and refused.json()["error"] == {
        "code": "too_many_attempts",
        "message": f"Trop de tentatives ; réessayez dans {wait} secondes.",
    }


def test_one_second_is_singular_and_the_placeholders_are_filled() -> None:
    with translation.override("fr"):
        assert throttle.too_many_attempts(1).message == "Trop de tentatives ; réessayez dans 1 seconde."
        assert throttle.too_many_attempts(90).message == "Trop de tentatives ; réessayez dans 90 secondes."
    assert throttle.too_many_attempts(1).message == "Too many attempts; try again in 1 second."


# --- AuthError ---


def test_an_error_keeps_the_language_it_was_made_in_and_stays_a_plain_picklable_value() -> None:
    with translation.override("fr"):
        french = AuthError(AuthErrorCode.SESSION_EXPIRED)
    english = AuthError(AuthErrorCode.SESSION_EXPIRED)
    assert type(french.message) is str and french.message == "La session a expiré ; reconnectez-vous."
    assert english.message == "The session has expired; log in again."
    assert french != english and french.code is english.code
    assert pickle.loads(pickle.dumps(french)) == french  # noqa: S301  (our own bytes)
    assert json.loads(http.error_response(french).content)["error"]["message"] == french.message  # as made


def test_the_core_stays_english_where_django_is_not_set_up() -> None:
    script = textwrap.dedent(
        """
        from rix_auth import throttle
        from rix_auth.error import AuthError, AuthErrorCode
        print(AuthError(AuthErrorCode.SESSION_REVOKED).message)
        print(throttle.too_many_attempts(1).message)
        """
    )
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert done.stdout.splitlines() == [
        "The session was revoked; log in again.",
        "Too many attempts; try again in 1 second.",
    ], done.stderr


# --- the pages ---


def _with_locale(middleware: list[str]) -> list[str]:
    at = middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    return [*middleware[:at], "django.middleware.locale.LocaleMiddleware", *middleware[at:]]


@pytest.fixture
def french_browser(settings: Any) -> Iterator[Client]:
    settings.ROOT_URLCONF, settings.STATIC_URL = "tests.web", "/static/"
    settings.MIDDLEWARE = _with_locale(settings.MIDDLEWARE)
    with translation.override(translation.get_language()):  # LocaleMiddleware leaves its choice active
        yield Client(headers={"Accept-Language": "fr"})


@pytest.mark.django_db
def test_the_pages_speak_the_browsers_language(french_browser: Client) -> None:
    page = french_browser.get(SIGN_IN).content.decode()
    assert '<html lang="fr">' in page and "<h1>Se connecter</h1>" in page
    assert ">Mot de passe\N{NO-BREAK SPACE}:</label>" in page and "Pas encore de compte ?" in page
    assert "Créer un compte" in french_browser.get(REGISTER).content.decode()
    english = Client(headers={"Accept-Language": "en"}).get(SIGN_IN).content.decode()
    assert '<html lang="en">' in english and "<h1>Sign in</h1>" in english


@pytest.mark.django_db
def test_english_is_the_default(french_browser: Client) -> None:
    assert settings.LANGUAGE_CODE == "en-us"
    page = Client().get(SIGN_IN).content.decode()  # no Accept-Language, no language cookie
    assert '<html lang="en">' in page and "<h1>Sign in</h1>" in page


@pytest.mark.django_db
def test_a_refusal_on_a_page_is_in_the_browsers_language(french_browser: Client) -> None:
    assert rix_auth.database().register_user(EMAIL, PASSWORD).ok
    refused = french_browser.post(SIGN_IN, WRONG)
    assert refused.status_code == 400
    assert escape("L'adresse e-mail ou le mot de passe est incorrect.") in refused.content.decode()


def test_the_example_project_serves_french_to_french_browsers() -> None:
    from example_project import settings as example

    assert ("fr", "Français") in example.LANGUAGES
    without = [name for name in example.MIDDLEWARE if not name.endswith("LocaleMiddleware")]
    assert _with_locale(without) == example.MIDDLEWARE


# --- the catalog ---


def test_every_french_message_is_translated_and_keeps_its_placeholders() -> None:
    found = entries(CATALOG / "django.po")
    assert len(found) > 50
    for entry in found:
        assert "fuzzy" not in entry.flags, entry.msgid
        assert entry.translations and all(entry.translations), entry.msgid
        wanted = set(PLACEHOLDER.findall(entry.msgid + (entry.plural or "")))
        assert all(set(PLACEHOLDER.findall(text)) == wanted for text in entry.translations), entry.msgid


def test_the_compiled_catalog_matches_the_po_file() -> None:
    with (CATALOG / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for entry in entries(CATALOG / "django.po"):
        if entry.plural is None:
            assert catalog.gettext(entry.msgid) == entry.translations[0], entry.msgid
        else:  # French: form 0 for 0 and 1, form 1 from 2 on
            forms = [catalog.ngettext(entry.msgid, entry.plural, n) for n in (1, 2)]
            assert forms == entry.translations, entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_the_catalog_has_every_message_the_code_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "rix_auth"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], verbosity=0)
    marked = {(entry.msgid, entry.plural) for entry in entries(copy / "locale/fr/LC_MESSAGES/django.po")}
    assert marked == {(entry.msgid, entry.plural) for entry in entries(CATALOG / "django.po")}
