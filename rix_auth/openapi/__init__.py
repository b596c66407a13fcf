"""An OpenAPI 3.1 description of the JSON endpoints, served by :mod:`rix_auth.urls` as ``openapi.json``."""
