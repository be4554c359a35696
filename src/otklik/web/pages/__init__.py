"""Server-rendered pages (Jinja2, autoescaped); each module is one page and its forms."""

from types import ModuleType

from fastapi import APIRouter

from otklik.web.pages import (
    admin_configs,
    admin_surveys,
    admin_tokens,
    auth,
    case,
    conduct,
    contact,
    drivers,
    ex,
    experiments,
    explore,
    import_mapping,
    imports,
    inbox,
    incidents,
    items,
    llm,
    model,
    overview,
    scorecards,
    settings,
    topics,
)

__all__ = ["PAGE_MODULES", "pages_router"]

PAGE_MODULES: tuple[ModuleType, ...] = (
    auth,
    overview,
    explore,
    scorecards,
    items,
    inbox,
    case,
    conduct,
    imports,
    settings,
    topics,
    llm,
    import_mapping,
    model,
    contact,
    experiments,
    incidents,
    ex,
    drivers,
)
# /admin/surveys and /admin/tokens before /admin/{kind}
PAGE_MODULES += (admin_tokens, admin_surveys, admin_configs)
pages_router = APIRouter(include_in_schema=False)
for _module in PAGE_MODULES:
    pages_router.include_router(_module.router)
