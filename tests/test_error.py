import re

import pytest

import rix_auth
from rix_auth import AuthError, AuthErrorCode
from rix_auth.error import DEFAULT_MESSAGES
from rix_auth.result import Result


def test_every_code_is_a_unique_snake_case_string_with_a_message() -> None:
    values = [code.value for code in AuthErrorCode]
    assert len(values) == len(set(values))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", value) for value in values)
    assert set(DEFAULT_MESSAGES) == set(AuthErrorCode)
    messages = list(DEFAULT_MESSAGES.values())
    assert len(messages) == len(set(messages))


def test_the_required_codes_exist_with_their_stable_strings() -> None:
    expected = {
        "INVALID_INPUT": "invalid_input", "INVALID_CREDENTIALS": "invalid_credentials",
        "USER_ALREADY_EXISTS": "user_already_exists", "USER_NOT_FOUND": "user_not_found",
        "USER_DISABLED": "user_disabled", "INVALID_SESSION": "invalid_session",
        "SESSION_EXPIRED": "session_expired", "SESSION_REVOKED": "session_revoked", "STORE_ERROR": "store_error",
    }  # fmt: skip
    assert {name: AuthErrorCode[name].value for name in expected} == expected


def test_to_string_and_is_work_on_errors() -> None:
    error = AuthError(AuthErrorCode.SESSION_EXPIRED)
    assert isinstance(error, Exception)
    assert rix_auth.error.to_string(error) == "session_expired"
    assert rix_auth.error.is_(error, AuthErrorCode.SESSION_EXPIRED)
    assert not rix_auth.error.is_(error, AuthErrorCode.SESSION_REVOKED)
    assert not rix_auth.error.is_(None, AuthErrorCode.SESSION_REVOKED)


def test_reading_the_value_of_a_failed_result_raises_its_error() -> None:
    failed: Result[int] = Result.failure(AuthError(AuthErrorCode.INVALID_SESSION))
    assert (failed.ok, failed.failed) == (False, True)
    with pytest.raises(AuthError) as raised:
        _ = failed.value
    assert raised.value.code is AuthErrorCode.INVALID_SESSION
    succeeded = Result.success(3)
    assert (succeeded.ok, succeeded.failed, succeeded.value, succeeded.error) == (True, False, 3, None)
