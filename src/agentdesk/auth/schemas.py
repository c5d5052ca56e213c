from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from agentdesk.auth.service import TOKEN_DAYS, TOKEN_MAX_DAYS
from agentdesk.kit.validation import PASSWORD_RULE


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class LogoutRequest(BaseModel):
    everywhere: bool = Field(
        True,
        description="end every session of the user and revoke their API tokens (the default); "
        "false ends only this session",
    )


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200, json_schema_extra=PASSWORD_RULE)


class PrincipalRead(BaseModel):
    user_id: int
    username: str
    display_name: str
    tenant_id: int | None
    role: str
    permissions: list[str]


class LoginResult(PrincipalRead):
    csrf_token: str = Field(description="the new CSRF token (rotated at login; also the cookie)")


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    expires_in_days: int = Field(TOKEN_DAYS, ge=1, le=TOKEN_MAX_DAYS)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    status: str = Field(description="active | expired | revoked")


class TokenCreated(TokenRead):
    token: str = Field(description="the token itself: shown this once, only its hash is kept")


class TokenList(BaseModel):
    items: list[TokenRead]
    total: int
