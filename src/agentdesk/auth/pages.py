"""HTML edge shared by every page: rendering with language and CSRF, login, home."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from agentdesk.auth.deps import csrf_token_for, current_principal, optional_principal
from agentdesk.auth.permissions import CONFIG_MANAGE, PLATFORM_MANAGE, WORKBENCH_USE
from agentdesk.auth.principal import Principal
from agentdesk.kit.messages import translate
from agentdesk.kit.redirects import safe_next
from agentdesk.resources import AppSettings
from agentdesk.web import csp, templates
from agentdesk.web.i18n import pick_language

router = APIRouter(include_in_schema=False)


def render(
    request: Request,
    template: str,
    principal: Principal | None = None,
    *,
    third_party_frames: bool = False,
    **context,
):
    """Render a page with the UI language, CSRF token, the caller and its own CSP nonce;
    `third_party_frames` for pages that open pop pages in frames or windows."""
    lang = pick_language(request.cookies.get("lang"), request.headers.get("accept-language"))
    nonce = csp.new_nonce()

    def t(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    context.update(
        request=request,
        lang=lang,
        t=t,
        tr=lambda message: translate(message, lang),  # a server message in the page language
        csrf_token=csrf_token_for(request),
        principal=principal,
        origin=request.app.state.settings.origin,
        csp_nonce=nonce,
    )
    response = templates.TemplateResponse(request, template, context)
    response.headers["Content-Security-Policy"] = csp.page_policy(
        nonce, third_party_frames=third_party_frames
    )
    return response


def not_found_page(request: Request, detail: str | None = None):
    """The HTML 404 for a person's browser (API clients keep their JSON)."""
    response = render(request, "not_found.html", None, detail=detail)
    response.status_code = 404
    return response


def home_for(principal: Principal) -> str:
    if PLATFORM_MANAGE in principal.permissions:
        return "/ops"
    if CONFIG_MANAGE in principal.permissions:
        return "/config"
    if WORKBENCH_USE in principal.permissions:
        return "/workbench"
    return "/login"


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request,
    settings: AppSettings,
    principal: Principal | None = Depends(optional_principal),
):
    """The login form; `next` (where to go afterwards) is checked here, not in the browser."""
    origin = settings.origin
    next_url = safe_next(request.query_params.get("next"), origin)
    return render(request, "login.html", principal, next_url=next_url)


@router.get("/account/tokens", response_class=HTMLResponse)
async def tokens_page(request: Request, principal: Principal = Depends(current_principal)):
    """Your API tokens: create (shown once), list, revoke."""
    return render(request, "account_tokens.html", principal)


@router.get("/")
async def home(request: Request, principal: Principal | None = Depends(optional_principal)):
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_for(principal), status_code=303)


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the API docs, JSON)."""
    return RedirectResponse("/static/favicon.svg", status_code=301)
