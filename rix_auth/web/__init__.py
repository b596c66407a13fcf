"""Sign-in and "your devices" pages in plain HTML, for sites that want them ready-made.

Mount with ``path("account/", include("rix_auth.web.urls"))``; they need
``django.contrib.messages`` and rix_auth's middleware. Every page works without
JavaScript, keeps the session in rix_auth's HttpOnly cookie and renders a
template under ``rix_auth/`` that a site can override, ``rix_auth/base.html`` first.
"""
