"""Session ids never reach an error report: admin mails, log records, 500 pages, technical pages.

Django's default LOGGING, DEBUG off and ADMINS set, unless a test says otherwise.
"""

from __future__ import annotations

import logging
import logging.config
import re
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import django
import pytest
from asgiref.sync import async_to_sync
from django.core import mail
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, override_settings
from django.urls import include, path
from django.utils.log import DEFAULT_LOGGING, AdminEmailHandler
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter, get_default_exception_reporter_filter

import rix_auth
from rix_auth import ratelimited_log, reporting, tokens
from rix_auth.clock import ManualClock
from rix_auth.conf import settings as rix_settings
from rix_auth.middleware import SessionMiddleware
from rix_auth.ratelimited_log import RateLimitedLog
from rix_auth.result import Result
from rix_auth.session import SessionUse
from tests.conftest import EMAIL, PASSWORD, bearer

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedASGIResponse as AsgiResponse
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db
Login = Callable[..., str]
ADMINS: list[Any] = ["ops@example.com"] if django.VERSION >= (6,) else [("Ops", "ops@example.com")]
STARS = SafeExceptionReporterFilter.cleansed_substitute
minted: list[str] = []


def broken(request: HttpRequest) -> HttpResponse:
    """A bug in a view whose frame holds the id, as code that handles sessions may."""
    session_id = request.rix_state.session_id  # type: ignore[attr-defined]
    carried = {"cookies": dict(request.COOKIES), "authorization": request.headers.get("Authorization")}
    raise RuntimeError(f"the view broke ({len(session_id or '')} characters, {len(carried)} places)")


def broken_after_sign_in(request: HttpRequest) -> HttpResponse:
    """A bug right after a sign-in, with the new id in a variable."""
    new_id = rix_auth.login(request, request.user, cookie=False).value.id
    minted.append(new_id)
    raise RuntimeError("the view broke after signing in")


async def broken_async(request: HttpRequest) -> HttpResponse:
    session_id = request.rix_state.session_id  # type: ignore[attr-defined]
    raise RuntimeError(f"the async view broke ({len(session_id or '')} characters)")


urlpatterns = [
    path("auth/", include("rix_auth.urls")),
    path("broken/", broken),
    path("broken/after-sign-in/", broken_after_sign_in),
    path("broken/async/", broken_async),
]


class CrashingMiddleware(SessionMiddleware):
    """A project's subclass with a bug in a step after ``read``."""

    def authenticate(self, request: HttpRequest, session_id: str) -> Result[SessionUse]:
        raise RuntimeError("the subclass broke")


class ShowsHeaders(SafeExceptionReporterFilter):
    """A project filter that hides less than Django's and marks what it hides its own way."""

    cleansed_substitute = "[hidden by the project]"
    hidden_settings = re.compile("SECRET")


class FakeTime:
    """Seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def site(settings: Any) -> Iterator[None]:
    """This module's URLs, admins to mail, Django's default logging and a fresh reporter filter."""
    settings.ROOT_URLCONF = __name__
    settings.ADMINS = ADMINS
    if django.VERSION >= (6, 1):  # mail without MAILERS is deprecated there
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    logging.config.dictConfig(DEFAULT_LOGGING)  # as django.setup() left it, whatever ran before
    forget_reporter_filter()
    yield
    forget_reporter_filter()


def forget_reporter_filter() -> None:
    """Django reads DEFAULT_EXCEPTION_REPORTER_FILTER once and keeps it; make it read again."""
    get_default_exception_reporter_filter.cache_clear()  # type: ignore[attr-defined]


@pytest.fixture
def session_id(bearer_login: Login) -> str:
    return bearer_login()


def crash(
    client: Client,
    session_id: str,
    *,
    cookie: bool,
    url: str = "/broken/",
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The client's request to a broken view, carrying ``session_id`` in a cookie or a header."""
    headers = dict(headers or {})
    if cookie:
        client.cookies[rix_settings.cookie_name] = session_id
    else:
        headers.update(bearer(session_id))
    return client.get(url, headers=headers) if data is None else client.post(url, data, headers=headers)


def use_filter(settings: Any, dotted_path: str) -> None:
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = dotted_path
    forget_reporter_filter()


def mail_texts() -> list[str]:
    texts: list[str] = []
    for message in mail.outbox:
        texts += [str(message.subject), str(message.body)]
        texts += [str(content) for content, _ in getattr(message, "alternatives", [])]
    return texts


def record_texts(records: list[logging.LogRecord]) -> list[str]:
    """Each record as a formatter would print it, traceback included, and all its attributes."""
    return [logging.Formatter().format(r) + repr(vars(r)) for r in records]


def assert_nowhere(secret: str, texts: list[str]) -> None:
    assert texts
    for text in texts:
        assert secret not in text


def test_an_error_on_a_cookie_request_is_mailed_logged_and_answered_without_the_id(
    session_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(raise_request_exception=False)
    client.cookies["__Host-rix_session"] = session_id  # left over from the other preset's cookie name
    response = crash(client, session_id, cookie=True)
    assert response.status_code == 500
    (message,) = mail.outbox
    assert f"{rix_settings.cookie_name} = '{STARS}'" in message.body  # the report shows the cookie, hidden
    assert f"__Host-rix_session = '{STARS}'" in message.body
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1 and records[0].exc_info is not None
    assert_nowhere(session_id, [*mail_texts(), *record_texts(records), response.content.decode()])


def test_an_error_on_a_bearer_request_hides_the_header_even_under_a_filter_that_would_show_it(
    session_id: str, settings: Any
) -> None:
    use_filter(settings, f"{__name__}.ShowsHeaders")
    crash(Client(raise_request_exception=False), session_id, cookie=False)
    (message,) = mail.outbox
    assert "HTTP_AUTHORIZATION = '[hidden by the project]'" in message.body  # the project's filter, extended
    assert_nowhere(session_id, mail_texts())


def test_form_fields_and_other_headers_holding_an_id_are_hidden(session_id: str) -> None:
    referer = f"https://example.com/help?pasted={session_id}"
    client = Client(raise_request_exception=False)
    crash(client, session_id, cookie=False, data={"pasted": f"id={session_id}"}, headers={"Referer": referer})
    (message,) = mail.outbox
    assert f"pasted = 'id={STARS}'" in message.body
    assert f"HTTP_REFERER = 'https://example.com/help?pasted={STARS}'" in message.body
    assert_nowhere(session_id, mail_texts())


@override_settings(DEBUG=True)
def test_the_debug_page_hides_the_id_in_cookies_headers_form_fields_and_frame_variables(session_id: str) -> None:
    client = Client(raise_request_exception=False)
    response = crash(client, session_id, cookie=True, data={"pasted": session_id})
    page = response.content.decode()
    assert response.status_code == 500 and "the view broke" in page  # Django's technical page
    assert "session_id" in page and "carried" in page and STARS in page  # the frame variables, shown hidden
    assert session_id not in page


@override_settings(DEBUG=True)
def test_an_id_minted_by_the_failing_request_is_hidden_too(session_id: str) -> None:
    response = crash(Client(raise_request_exception=False), session_id, cookie=False, url="/broken/after-sign-in/")
    page = response.content.decode()
    assert "new_id" in page and minted
    assert minted[-1] not in page and session_id not in page


@pytest.mark.django_db(transaction=True)
@override_settings(DEBUG=True)
def test_an_async_view_under_asgi_is_reported_without_the_id() -> None:
    rix_auth.get_auth().register_user(EMAIL, PASSWORD)
    session_id = rix_auth.get_auth().login(EMAIL, PASSWORD).value.session.id
    client = AsyncClient(raise_request_exception=False)
    client.cookies[rix_settings.cookie_name] = session_id

    async def visit() -> AsgiResponse:
        return await client.get("/broken/async/")

    response = async_to_sync(visit)()
    page = response.content.decode()
    assert response.status_code == 500 and "the async view broke" in page
    assert session_id not in page


def test_a_crash_in_a_step_after_reading_the_id_is_reported_without_it(session_id: str, settings: Any) -> None:
    settings.MIDDLEWARE = [f"{__name__}.CrashingMiddleware" if m.startswith("rix_auth.") else m
                           for m in settings.MIDDLEWARE]  # fmt: skip
    response = crash(Client(raise_request_exception=False), session_id, cookie=True)
    assert response.status_code == 500
    (message,) = mail.outbox
    assert "the subclass broke" in message.body
    assert_nowhere(session_id, mail_texts())


def test_every_request_shares_one_filter_that_extends_the_configured_one(
    client: Client, session_id: str, settings: Any
) -> None:
    first = client.get("/auth/session/", headers=bearer(session_id)).wsgi_request.exception_reporter_filter
    second = client.get("/auth/session/").wsgi_request.exception_reporter_filter  # no session: the same
    assert first is second is reporting.request_filter()
    assert isinstance(first, reporting.SessionIdRedaction) and isinstance(first, SafeExceptionReporterFilter)
    use_filter(settings, f"{__name__}.ShowsHeaders")
    extended = client.get("/auth/session/").wsgi_request.exception_reporter_filter
    assert isinstance(extended, ShowsHeaders) and isinstance(extended, reporting.SessionIdRedaction)


def test_session_id_filter_as_the_project_default_covers_reports_without_a_request(settings: Any) -> None:
    use_filter(settings, "rix_auth.reporting.SessionIdFilter")
    assert reporting.request_filter() is get_default_exception_reporter_filter()  # used as is, not wrapped again
    held = tokens.new_session_id()
    try:
        raise RuntimeError("no request here")
    except RuntimeError:
        report = ExceptionReporter(None, *sys.exc_info()).get_traceback_html()
    assert "held" in report and held not in report


def test_the_id_pattern_matches_every_id_the_tokens_module_makes() -> None:
    for _ in range(200):
        assert reporting.ID_IN_TEXT.fullmatch(tokens.new_session_id())


def test_a_repeated_warning_is_logged_once_a_period_with_the_count_held_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = FakeTime()
    log = RateLimitedLog(logging.getLogger("tests.ratelimited"), period=60, clock=time)
    sent = []
    for _ in range(5):
        sent.append(log.warning("store down: %s", "OperationalError"))
        time.now += 10
    time.now += 20  # 70 s after the first
    sent.append(log.warning("store down: %s", "OperationalError"))
    assert sent == [True, False, False, False, False, True]
    assert [r.getMessage() for r in caplog.records] == [
        "store down: OperationalError",
        "store down: OperationalError (4 more since the last such record)",
    ]
    assert [r.suppressed for r in caplog.records] == [0, 4]  # type: ignore[attr-defined]
    assert {r.levelno for r in caplog.records} == {logging.WARNING}


def test_a_store_failure_is_a_warning_without_a_traceback(
    session_id: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = RateLimitedLog(logging.getLogger("rix_auth"), clock=FakeTime())
    monkeypatch.setattr(ratelimited_log, "store_errors", limiter)
    with connection.execute_wrapper(_refuse):
        assert rix_auth.get_auth().use_session(session_id).error.code.value == "store_error"  # type: ignore[union-attr]
    (record,) = [r for r in caplog.records if r.name == "rix_auth"]
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    message = record.getMessage()
    assert message.startswith("rix_auth: the session or user store failed: ") and "OperationalError" in message


def test_a_ten_second_outage_of_500_requests_logs_one_record_a_minute_and_mails_no_id(
    client: Client,
    session_id: str,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limiter = RateLimitedLog(logging.getLogger("rix_auth"), clock=lambda: clock().timestamp())
    monkeypatch.setattr(ratelimited_log, "store_errors", limiter)
    mailer = AdminEmailHandler(include_html=True)  # a project that mails itself rix_auth's warnings
    mailer.setLevel(logging.WARNING)
    logging.getLogger("rix_auth").addHandler(mailer)
    try:
        with connection.execute_wrapper(_refuse):
            statuses = set()
            for i in range(500):
                statuses.add(during_outage(client, session_id, cookie=i % 2 == 0).status_code)
                clock.advance(0.02)
            clock.advance(60)
            statuses.add(during_outage(client, session_id, cookie=False).status_code)
    finally:
        logging.getLogger("rix_auth").removeHandler(mailer)
    assert statuses == {503}
    records = [r for r in caplog.records if r.name in ("rix_auth", "django.request")]
    assert [(r.name, r.levelname) for r in records] == [("rix_auth", "WARNING")] * 2  # one per minute, no 503s
    assert records[1].getMessage().endswith("(499 more since the last such record)")
    assert len(mail.outbox) == 2
    assert_nowhere(session_id, [*mail_texts(), *record_texts(records)])


def during_outage(client: Client, session_id: str, *, cookie: bool) -> Response:
    """A request to an endpoint that needs the session, during the outage."""
    if cookie:
        client.cookies[rix_settings.cookie_name] = session_id
        return client.get("/auth/session/")
    client.cookies.pop(rix_settings.cookie_name, None)
    return client.get("/auth/session/", headers=bearer(session_id))


def _refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise OperationalError("the database went away")
