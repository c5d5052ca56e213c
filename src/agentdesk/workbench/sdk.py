"""Serves AICCSupport.js at the vendor's path (R-SDK-1), with this instance's origins in it."""

import json
from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import Response

from agentdesk.resources import AppSettings
from agentdesk.web import SDK_DIR

router = APIRouter(include_in_schema=False)
SDK_PATH = "/service-cloud/resource.root/page/resource.root/js"
VERSION = "1.0.0"


@cache
def _source(name: str) -> str:
    return (SDK_DIR / name).read_text(encoding="utf-8")


def trusted_origins(public_origin: str, request_origin: str) -> list[str]:
    """The public origin plus the one the file was fetched from (e.g. localhost vs 127.0.0.1),
    so a copy saved next to an integrator's page still recognises this agentdesk."""
    origins = [public_origin]
    if request_origin not in origins:
        origins.append(request_origin)
    return origins


def render_sdk(origins: list[str]) -> str:
    return (
        _source("AICCSupport.js")
        .replace("__AGENTDESK_ORIGINS__", json.dumps(origins))
        .replace("__AGENTDESK_VERSION__", VERSION)
    )


@router.get(f"{SDK_PATH}/AICCSupport.js")
async def aicc_support_js(request: Request, settings: AppSettings) -> Response:
    request_origin = f"{request.url.scheme}://{request.url.netloc}"
    origins = trusted_origins(settings.origin, request_origin)
    return Response(
        render_sdk(origins),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"},
    )


@router.get(f"{SDK_PATH}/AICCSupport.d.ts")
async def aicc_support_types() -> Response:
    return Response(
        _source("AICCSupport.d.ts"),
        media_type="text/plain; charset=utf-8",
        headers={"Access-Control-Allow-Origin": "*"},
    )
