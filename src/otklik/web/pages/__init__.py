"""Server-rendered pages (Jinja2, autoescaped); each module is one page and its forms."""

from fastapi import APIRouter

from otklik.web.pages import (
    auth,
    explore,
    import_mapping,
    imports,
    inbox,
    items,
    model,
    overview,
    scorecards,
    settings,
)

__all__ = ["PAGE_MODULES", "pages_router"]

PAGE_MODULES = (
    auth,
    overview,
    explore,
    scorecards,
    items,
    inbox,
    imports,
    settings,
    import_mapping,
    model,
)
pages_router = APIRouter(include_in_schema=False)
for _module in PAGE_MODULES:
    pages_router.include_router(_module.router)
