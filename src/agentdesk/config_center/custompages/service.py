"""Custom-page rules (R-EXT-3, R-TBL-3). Services validate and change rows; the edge commits.

At most MAX_PAGES pages per tenant; names ≤256 and unique; layout block or tile with 2, 3 or 4
columns; the page interface is an external interface mapped to the tenant, or the internal one
with 1 to MAX_OBJECTS objects. Publishing needs a complete interface; editing a published page
keeps it published and the next call shows the new version.
"""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.custompages import repository
from agentdesk.config_center.custompages.internal import validate_internal_object
from agentdesk.config_center.custompages.models import MAX_OBJECTS, MAX_PAGES, CustomPage
from agentdesk.config_center.custompages.repository import CustomPageRepository
from agentdesk.config_center.custompages.schemas import CustomPageWrite
from agentdesk.config_center.interfaces import service as interfaces
from agentdesk.kit.errors import Conflict, FieldError, LimitReached, NotFound, ValidationFailed
from agentdesk.storage.references import first_restricting


async def list_pages(session: AsyncSession, tenant_id: int) -> list[tuple[CustomPage, list]]:
    """The tenant's pages by name, each with its internal objects."""
    repo = CustomPageRepository(session, tenant_id)
    pages = await repo.list(order_by=CustomPage.name)
    objects = await repo.objects_of([p.id for p in pages])
    return [(page, objects[page.id]) for page in pages]


async def get_page(session: AsyncSession, tenant_id: int, page_id: int) -> tuple[CustomPage, list]:
    repo = CustomPageRepository(session, tenant_id)
    page = await repo.get(page_id)
    return page, (await repo.objects_of([page.id]))[page.id]


async def find_page(session: AsyncSession, tenant_id: int, page_id: int) -> CustomPage | None:
    """The tenant's custom page with this id, or None (for domains that show one)."""
    return await CustomPageRepository(session, tenant_id).find(CustomPage.id == page_id)


async def published_pages(session: AsyncSession, tenant_id: int) -> list[CustomPage]:
    """The pages a pop page of type internal may show."""
    repo = CustomPageRepository(session, tenant_id)
    return await repo.list(CustomPage.published.is_(True), order_by=CustomPage.name)


async def interface_names(session: AsyncSession, tenant_id: int) -> dict[int, str]:
    """Names of the interfaces mapped to the tenant, by id (for the page list)."""
    return {row.id: row.name for row in await interfaces.tenant_interfaces(session, tenant_id)}


async def create_page(session: AsyncSession, tenant_id: int, data: CustomPageWrite) -> CustomPage:
    """Create a page, within the limit of MAX_PAGES per tenant."""
    repo = CustomPageRepository(session, tenant_id)
    await repo.lock_tenant()
    if await repo.count() >= MAX_PAGES:
        raise LimitReached(
            "name",
            MAX_PAGES,
            "a tenant has at most {limit} custom pages",
            "每个租户最多 {limit} 个自定义页面",
        )
    values, objects = await _validated(repo, data, None)
    page = repo.add(CustomPage(**values, published=False))
    await _flush(session)
    await repo.replace_objects(page.id, objects)
    await session.flush()
    return page


async def update_page(
    session: AsyncSession, tenant_id: int, page_id: int, data: CustomPageWrite
) -> CustomPage:
    """Replace a page's settings; a published page stays published."""
    repo = CustomPageRepository(session, tenant_id)
    page = await repo.get(page_id, for_update=True)
    values, objects = await _validated(repo, data, page)
    if page.published:
        _require_complete(values)
    for key, value in values.items():
        setattr(page, key, value)
    await _flush(session)
    await repo.replace_objects(page.id, objects)
    await session.flush()
    return page


async def delete_page(session: AsyncSession, tenant_id: int, page_id: int) -> None:
    repo = CustomPageRepository(session, tenant_id)
    page = await repo.get(page_id, for_update=True)
    # Pop pages show custom pages (their foreign key restricts deletes); asked through the
    # schema so that custom pages need not know the pop-page domain.
    used_by = await first_restricting(session, CustomPage.__table__, page.id)
    if used_by is not None:
        label, name = used_by
        raise Conflict(f"the {label} {name} shows this custom page; change or delete it first")
    await repo.replace_objects(page.id, [])
    await repo.delete(page)
    await session.flush()


async def publish_page(
    session: AsyncSession, tenant_id: int, page_id: int, now: datetime
) -> CustomPage:
    """Publish [发布] a page whose interface is complete and still valid."""
    repo = CustomPageRepository(session, tenant_id)
    page = await repo.get(page_id, for_update=True)
    objects = (await repo.objects_of([page.id]))[page.id]
    data = CustomPageWrite(
        name=page.name,
        layout=page.layout,
        columns=page.columns,
        interface_type=page.interface_type,
        interface_id=page.interface_id,
        objects=[{"name": o.name, "table_id": o.table_id, "fields": o.fields} for o in objects],
    )
    values, _ = await _validated(repo, data, page)
    _require_complete(values)
    page.published = True
    page.published_at = now
    await session.flush()
    return page


async def unpublish_page(session: AsyncSession, tenant_id: int, page_id: int) -> CustomPage:
    repo = CustomPageRepository(session, tenant_id)
    page = await repo.get(page_id, for_update=True)
    page.published = False
    page.published_at = None
    await session.flush()
    return page


async def pages_using_interface(session: AsyncSession, interface_id: int) -> list[str]:
    """ "tenant code / page name" of every page using the interface (any tenant)."""
    rows = await repository.pages_using_interface(session, interface_id)
    return [f"{code} / {name}" for code, name in rows]


# ---------------------------------------------------------------- rules


def _require_complete(values: dict) -> None:
    if values["interface_type"] is None:
        raise ValidationFailed.single(
            "interface_type",
            "required",
            "choose the page interface (external or internal) before publishing",
        )


async def _validated(
    repo: CustomPageRepository, data: CustomPageWrite, page: CustomPage | None
) -> tuple[dict, list[dict]]:
    """The row values and the objects for `data`, after the rules that span fields or rows."""
    errors: list[FieldError] = []
    existing = await repo.by_name(data.name)
    if existing is not None and (page is None or existing.id != page.id):
        errors.append(FieldError("name", "unique", f"custom page {data.name} already exists"))
    values = data.model_dump(exclude={"objects"})
    objects: list[dict] = []
    if data.interface_type == "external":
        errors += await _check_external(repo, data.interface_id)
    else:
        values["interface_id"] = None
    if data.interface_type == "internal":
        objects = [o.model_dump() for o in data.objects]
        errors += await _check_internal(repo, objects)
    if errors:
        raise ValidationFailed(errors)
    return values, objects


async def _check_external(repo: CustomPageRepository, interface_id: int | None) -> list:
    if interface_id is None:
        return [FieldError("interface_id", "required", "choose the external interface")]
    try:
        await interfaces.tenant_interface(repo.session, repo.tenant_id, interface_id)
    except NotFound:
        return [
            FieldError(
                "interface_id",
                "not_found",
                f"interface {interface_id} is not available to this tenant (the operations "
                "admin maps interfaces to tenants)",
            )
        ]
    return []


async def _check_internal(repo: CustomPageRepository, objects: list[dict]) -> list:
    if not objects:
        return [FieldError("objects", "required", "add at least one object")]
    if len(objects) > MAX_OBJECTS:
        return [
            FieldError.limit_reached(
                "objects",
                MAX_OBJECTS,
                "a page has at most {limit} objects",
                "每个页面最多 {limit} 个对象",
            )
        ]
    errors, seen = [], set()
    for index, obj in enumerate(objects):
        if obj["name"] in seen:
            errors.append(
                FieldError(f"objects.{index}.name", "unique", f"object {obj['name']} is twice")
            )
        seen.add(obj["name"])
        problems = await validate_internal_object(
            repo.session, repo.tenant_id, obj["table_id"], obj["fields"]
        )
        errors += [FieldError(f"objects.{index}.{e.field}", e.rule, e.message) for e in problems]
    return errors


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent writer took the name first
        raise ValidationFailed.single(
            "name", "unique", "a custom page with this name exists"
        ) from exc
