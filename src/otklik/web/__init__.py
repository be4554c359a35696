"""The web app: a JSON API under ``/api/v1`` and server-rendered pages, in Russian and English.

    >>> from otklik.web import create_app
    >>> app = create_app(load_settings(database_url="sqlite:///otklik.db"))

Run it with ``otklik serve``; add people with ``otklik user add`` and API tokens with
``otklik token create``. ``docs/web.md`` describes the pages, roles and the API.
"""

from otklik.web.app import create_app

__all__ = ["create_app"]
