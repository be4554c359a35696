"""The model page (``/model``, admins and analysts): the models in force, how many human labels
each target has, and a "retrain" button that scores the model in force and a new one on the
same held-out labels (:func:`otklik.classify.retrain_with_comparison`, in a background thread).
The new models go in force only when the user presses "activate"; "discard" drops them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.classify import (
    RuleSet,
    activate_candidate,
    candidate_report,
    discard_candidate,
    models_in_force,
)
from otklik.web.auth import CSRF_FIELD
from otklik.web.corrections import taxonomy_in_force
from otklik.web.deps import StateDep, WriterUser, session_of
from otklik.web.rendering import render

__all__ = ["RETRAIN_METHOD", "router"]

router = APIRouter(include_in_schema=False)
RETRAIN_METHOD = "auto"  # as `otklik model train`


@router.get("/model")
def model_page(request: Request, user: WriterUser, state: StateDep) -> Response:
    status = state.retrain.status
    return render(
        request,
        "model.html",
        {
            "targets": models_in_force(state.engine, state.settings.model_dir),
            "status": status,
            "candidate": candidate_report(state.settings.model_dir),
            "model_dir": state.settings.model_dir,
            "activated": request.query_params.get("activated"),
        },
    )


def _check(request: Request, token: str) -> None:
    session_of(request).check_csrf(token)


@router.post("/model/retrain")
def retrain(
    request: Request,
    user: WriterUser,
    state: StateDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    _check(request, csrf_token)
    state.retrain.start(
        state.engine,
        state.settings.model_dir,
        RuleSet(taxonomy_in_force(state)),
        method=RETRAIN_METHOD,
        by=user.email,
    )
    return RedirectResponse("/model", status_code=303)


@router.post("/model/activate")
def activate(
    request: Request,
    user: WriterUser,
    state: StateDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    _check(request, csrf_token)
    targets = activate_candidate(state.settings.model_dir)
    return RedirectResponse(f"/model?activated={','.join(targets) or '-'}", status_code=303)


@router.post("/model/discard")
def discard(
    request: Request,
    user: WriterUser,
    state: StateDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    _check(request, csrf_token)
    discard_candidate(state.settings.model_dir)
    return RedirectResponse("/model", status_code=303)
