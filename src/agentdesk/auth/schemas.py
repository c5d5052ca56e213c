from pydantic import BaseModel, Field


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class PrincipalRead(BaseModel):
    user_id: int
    username: str
    display_name: str
    tenant_id: int | None
    role: str
    permissions: list[str]


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")


class TokenCreated(BaseModel):
    name: str
    token: str
