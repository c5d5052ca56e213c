"""The flow as a diagram: steps placed in columns by distance from the start, one edge per
branch with what takes it (a key, a case, next, failure, error). Pure: the page draws it
as SVG (static/ivr-flows.js)."""

from collections import deque

from agentdesk.ivr.steps import mapping_of, steps_by_id

LABEL_CHARS = 40


def _edges_of(step: dict) -> list[tuple[str, str]]:
    """(label, target) of every way out of a step, in the order a reader expects."""
    kind = step.get("type")
    out: list[tuple[str, object]] = []
    if kind == "menu":
        out += [(f"{key}", target) for key, target in mapping_of(step, "options").items()]
        out.append(("default", step.get("default")))
    elif kind == "branch":
        out += [(f"= {value}", target) for value, target in mapping_of(step, "cases").items()]
        out.append(("default", step.get("default")))
    elif kind == "collect":
        out += [("next", step.get("next")), ("failure", step.get("on_failure"))]
    elif kind == "interface":
        out.append(("next", step.get("next")))
        if step.get("on_error"):
            out.append(("error", step.get("on_error")))
    elif kind in ("play", "set"):
        out.append(("next", step.get("next")))
    return [(label, t) for label, t in out if isinstance(t, str) and t]


def _label(step: dict) -> str:
    text = step.get("label") or step.get("prompt") or ""
    if step.get("type") == "collect":
        text = f"{step.get('key', '')}: {text}"
    elif step.get("type") == "transfer_queue":
        text = f"queue #{step.get('queue_id')}"
    elif step.get("type") == "interface":
        text = f"interface #{step.get('interface_id')}"
    elif step.get("type") == "set":
        text = ", ".join(f"{k}={v}" for k, v in mapping_of(step, "values").items())
    elif step.get("type") == "branch":
        text = f"{step.get('key', '')} ?"
    text = str(text)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def layout(flow: object) -> dict:
    """{nodes: [{id, type, label, column, row, start}], edges: [{source, target, label,
    missing}], columns, rows}; steps the start never reaches go in a last column."""
    steps = steps_by_id(flow if isinstance(flow, dict) else {})
    start = flow.get("start") if isinstance(flow, dict) else None
    depth: dict[str, int] = {}
    if isinstance(start, str) and start in steps:
        depth[start] = 0
        todo = deque([start])
        while todo:
            current = todo.popleft()
            for _, target in _edges_of(steps[current]):
                if target in steps and target not in depth:
                    depth[target] = depth[current] + 1
                    todo.append(target)
    last = max(depth.values(), default=-1) + 1
    rows: dict[int, int] = {}
    nodes = []
    for step_id, step in steps.items():
        column = depth.get(step_id, last)
        row = rows.get(column, 0)
        rows[column] = row + 1
        nodes.append({"id": step_id, "type": str(step.get("type")), "label": _label(step),
                      "column": column, "row": row, "start": step_id == start})  # fmt: skip
    edges = [
        {"source": step_id, "target": target, "label": label, "missing": target not in steps}
        for step_id, step in steps.items()
        for label, target in _edges_of(step)
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "columns": max(rows, default=-1) + 1,
        "rows": max(rows.values(), default=0),
    }
