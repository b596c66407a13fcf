"""django-rest-knox's side of the benchmark: the view behind its TokenAuthentication, and a token
for it among as many others as a busy site holds."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone
from knox.auth import TokenAuthentication  # type: ignore[import-untyped]
from knox.models import AuthToken  # type: ignore[import-untyped]
from knox.settings import CONSTANTS, knox_settings  # type: ignore[import-untyped]

from rix_auth.session import UserId
from scripts.bench_drf import RixView
from scripts.bench_tables import copies


class KnoxView(RixView):
    authentication_classes = [TokenAuthentication]


def token_among(count: int, user_id: UserId, owners: Callable[[], UserId]) -> str:
    """A knox token of ``user_id`` among ``count`` rows; ``owners()`` names the owner of each other
    (random digests: no token of theirs exists). The user holds that one token, knox's best case:
    each request also reads all the user's tokens, to delete the expired ones."""
    copies(
        AuthToken(expiry=timezone.now() + knox_settings.TOKEN_TTL),
        count - 1,
        digest=lambda: secrets.token_hex(CONSTANTS.DIGEST_LENGTH // 2),
        token_key=lambda: secrets.token_hex(CONSTANTS.TOKEN_KEY_LENGTH)[: CONSTANTS.TOKEN_KEY_LENGTH],
        user_id=owners,
    )
    _, token = AuthToken.objects.create(user=get_user_model().objects.get(pk=user_id))
    return str(token)
