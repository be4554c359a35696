"""The web tests' known store (two teams, four users), shared per module and backend."""

from tests.web.conftest import web, web_url

__all__ = ["web", "web_url"]
