"""The example site: SQLite next to this file, or PostgreSQL from DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rix_auth_example make run

DEBUG is on unless DJANGO_DEBUG=0. With it off, the site is set up for HTTPS: the production
preset (a Secure ``__Host-`` cookie), Secure CSRF and session cookies, HSTS, and a secret key
that must come from DJANGO_SECRET_KEY::

    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=... DJANGO_ALLOWED_HOSTS=example.com python manage.py check --deploy

More switches, all off unless set to 1 (or, for HSTS, a number of seconds):
DJANGO_SECURE_SSL_REDIRECT, DJANGO_SECURE_PROXY_SSL_HEADER (trust X-Forwarded-Proto from a proxy
that sets it), DJANGO_SECURE_HSTS_SECONDS (default 3600), DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS,
DJANGO_SECURE_HSTS_PRELOAD. With DEBUG off the login throttle counts in a file cache that every
worker on the machine shares (DJANGO_CACHE_DIR, default example_project/.cache); use Redis or
Memcached when the site runs on several machines.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default) == "1"


DEBUG = _flag("DJANGO_DEBUG", "1")
PUBLIC_SECRET_KEY = "example-project-only-never-use-in-production"  # noqa: S105  (public on purpose: DEBUG only)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip() or PUBLIC_SECRET_KEY
if not DEBUG and SECRET_KEY == PUBLIC_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=0 needs a secret key of your own: set DJANGO_SECRET_KEY to a long random value, e.g. "
        "the output of python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())'. "
        "The example's built-in key is public and is used only while DEBUG is on."
    )
ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if host.strip()
]
USE_TZ = True
LANGUAGES = [("en", "English"), ("fr", "Français")]  # rix_auth ships a French translation
TIME_ZONE = "UTC"
ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "static/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "rest_framework",  # for the DRF example under /api/drf/
    "rix_auth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # pages in the browser's language, among LANGUAGES
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rix_auth.middleware.SessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def _database(url: str | None) -> dict[str, object]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE"},
        }
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/") or "postgres",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
        # A database that stops answering is a 503 store_error in seconds, not a hung worker.
        "OPTIONS": {"connect_timeout": 3, "tcp_user_timeout": 5000},
    }


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Headers that cost nothing over plain http either (Django's defaults, spelled out).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if DEBUG:
    # http://127.0.0.1:8000: a plain "rix_session" cookie, 7-day idle timeout.
    RIX_AUTH = {"PRESET": "development"}
else:
    # HTTPS only: a Secure "__Host-rix_session" cookie, 24-hour idle timeout, 30-day cap.
    RIX_AUTH = {"PRESET": "production"}
    # The login throttle counts in the cache: every worker process must share it (rix_auth.W004).
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / ".cache")),
    }}  # fmt: skip
    SESSION_COOKIE_SECURE = True  # Django's own session (the admin's messages)
    CSRF_COOKIE_SECURE = True
    # Browsers remember HSTS: start with an hour, raise it (31536000) once HTTPS is known to work.
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "3600"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS")  # only if every subdomain is HTTPS
    SECURE_HSTS_PRELOAD = _flag("DJANGO_SECURE_HSTS_PRELOAD")
    # Off by default: behind a TLS-terminating proxy, redirecting needs the proxy header too, or it loops.
    SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT")
    if _flag("DJANGO_SECURE_PROXY_SSL_HEADER"):  # only if the proxy sets (and overwrites) X-Forwarded-Proto
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
