"""What every pop integration mode is given and gives back (plain data, no I/O)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agentdesk.config_center.screenpop import popparams


@dataclass(frozen=True)
class PopContext:
    """One external page about to open for one call (or, for Web API, for the workbench)."""

    url: str
    page_origin: str
    secret: str | None
    params: Sequence[popparams.ParamSpec]
    call: dict
    attached: dict
    workbench_origin: str
    now_seconds: int

    def values(self) -> list[tuple[str, str]]:
        """The page's parameters (R-POP-5/6), `origin` (R-POP-7), signed when it has a secret."""
        values = popparams.select_params(self.call, self.attached, list(self.params))
        values.append(("origin", self.workbench_origin))
        if self.secret:
            values = popparams.sign(values, self.secret, self.now_seconds)
        return values


@dataclass(frozen=True)
class Opening:
    """How the workbench loads the page: GET a URL, or POST a form to it."""

    url: str
    method: str = "GET"
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IntegrationMode:
    """One integration mode [集成方式] of pop pages.

    `per_call`: opened on every call with its data (GET, POST), or once with the workbench and
    kept open across calls (Web API, driven by AICCSupport.js). `embed_only`: the page talks to
    the workbench, so it cannot open in its own window."""

    name: str
    per_call: bool
    embed_only: bool
    open: Callable[[PopContext], Opening]
