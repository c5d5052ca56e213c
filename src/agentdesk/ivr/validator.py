"""Validates a flow definition before it is published (pure).

`validate(flow)` returns every problem found, each naming the step, the field and the rule
with a message in English and Chinese; an empty list means the flow may be published:
- the shape: an object with `start` and 1..MAX_STEPS `steps`, ids well-formed and unique,
  known types, no unknown fields, every field of its type present and in range;
- every target exists (`start`, `next`, options, cases, defaults, failure/error targets);
- every path ends: from every step some transfer / return / release can be reached;
- no loop without a customer-input step: a cycle made only of play / set / branch /
  interface steps would spin for ever without the caller.
"""

from dataclasses import dataclass

from agentdesk.ivr.steps import (
    DATA_KEY,
    DTMF_KEYS,
    END_TYPES,
    INPUT_TYPES,
    MAP_TARGETS,
    STEP_ID,
    STEP_TYPES,
    TEMPLATE,
    TERMINATORS,
    kind_of,
    steps_by_id,
    targets,
)

MAX_STEPS = 100
MAX_PROMPT = 500
MAX_VALUE = 200
MAX_ENTRIES = 20
MAX_RETRIES = 5
MAX_DIGITS = 32
MAX_BODY_CHARS = 4000
AUDIO_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")

COMMON = {"id", "type", "label"}
FIELDS = {
    "play": {"prompt", "audio", "next"},
    "menu": {"prompt", "audio", "options", "default", "retries", "timeout_seconds",
             "invalid_prompt"},
    "collect": {"prompt", "audio", "key", "min_length", "max_length", "terminator",
                "first_digit_timeout_seconds", "inter_digit_timeout_seconds", "retries",
                "masked", "next", "on_failure", "invalid_prompt"},
    "interface": {"interface_id", "body", "timeout_seconds", "map", "next", "on_error"},
    "set": {"values", "next"},
    "branch": {"key", "cases", "default"},
    "transfer_queue": {"queue_id"},
    "return_to_agent": set(),
    "release": {"prompt"},
}  # fmt: skip
# Required target fields per type (optional ones: interface on_error defaults to next).
REQUIRED_TARGETS = {
    "play": ("next",),
    "set": ("next",),
    "menu": ("default",),
    "collect": ("next", "on_failure"),
    "interface": ("next",),
    "branch": ("default",),
}


@dataclass(frozen=True)
class FlowError:
    step_id: str | None
    field: str
    rule: str
    message_en: str
    message_zh: str

    def to_dict(self) -> dict:
        return {
            "step_id": self.step_id,
            "field": self.field,
            "rule": self.rule,
            "message_en": self.message_en,
            "message_zh": self.message_zh,
        }


def _where(step_id: str | None) -> tuple[str, str]:
    return (f"step {step_id}: ", f"步骤 {step_id}：") if step_id else ("", "")


class _Errors:
    """Collects errors with the step named in both languages."""

    def __init__(self) -> None:
        self.items: list[FlowError] = []

    def add(self, step_id: str | None, name: str, rule: str, en: str, zh: str) -> None:
        where_en, where_zh = _where(step_id)
        self.items.append(FlowError(step_id, name, rule, where_en + en, where_zh + zh))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate(flow: object) -> list[FlowError]:
    errors = _Errors()
    if not isinstance(flow, dict):
        errors.add(
            None, "definition", "type", "the flow must be a JSON object", "流程必须是 JSON 对象"
        )
        return errors.items
    for name in sorted(set(flow) - {"start", "steps"}):
        errors.add(None, name, "unknown_field", f"unknown field {name!r}", f"未知字段 {name!r}")
    steps = flow.get("steps")
    if not isinstance(steps, list) or not steps:
        errors.add(
            None, "steps", "required", "the flow needs at least one step", "流程至少需要一个步骤"
        )
        return errors.items
    if len(steps) > MAX_STEPS:
        errors.add(None, "steps", "max_items", f"at most {MAX_STEPS} steps",
                   f"最多 {MAX_STEPS} 个步骤")  # fmt: skip
    _check_ids(steps, errors)
    known = steps_by_id(flow)
    start = flow.get("start")
    if not isinstance(start, str) or not start:
        errors.add(None, "start", "required", "choose the first step", "请选择开始步骤")
    elif start not in known:
        errors.add(None, "start", "unknown_step", f"the start step {start!r} does not exist",
                   f"开始步骤 {start!r} 不存在")  # fmt: skip
    for step in steps:
        step_id = step.get("id") if isinstance(step, dict) else None
        if isinstance(step_id, str) and known.get(step_id) is step and kind_of(step):
            _check_step(step, known, errors)
    if not errors.items:  # graph rules only make sense on well-formed steps
        _check_graph(known, errors)
    return errors.items


def _check_ids(steps: list, errors: _Errors) -> None:
    seen: set[str] = set()
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            errors.add(None, f"steps[{index}]", "type", f"step #{index + 1} must be an object",
                       f"第 {index + 1} 个步骤必须是对象")  # fmt: skip
            continue
        step_id = step.get("id")
        if not isinstance(step_id, str) or not STEP_ID.match(step_id):
            errors.add(None, f"steps[{index}].id", "pattern",
                       f"step #{index + 1}: the id must be a letter then up to 31 letters, "
                       "digits, _ or -",
                       f"第 {index + 1} 个步骤：编号须以字母开头，最多 32 个字母、数字、_ 或 -")  # fmt: skip
            continue
        if step_id in seen:
            errors.add(step_id, "id", "duplicate", "another step has the same id", "步骤编号重复")
        seen.add(step_id)
        kind = step.get("type")
        if not isinstance(kind, str) or kind not in STEP_TYPES:
            errors.add(step_id, "type", "choice", f"unknown step type {kind!r}",
                       f"未知的步骤类型 {kind!r}")  # fmt: skip


def _check_step(step: dict, known: dict, errors: _Errors) -> None:
    step_id, kind = step["id"], step["type"]
    for name in sorted(set(step) - COMMON - FIELDS[kind]):
        errors.add(step_id, name, "unknown_field", f"unknown field {name!r} for a {kind} step",
                   f"{kind} 步骤没有字段 {name!r}")  # fmt: skip
    label = step.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > 50):
        errors.add(step_id, "label", "max_length", "the label is text of at most 50 characters",
                   "名称须为不超过 50 个字符的文本")  # fmt: skip
    _check_targets(step, known, errors)
    CHECKS[kind](step, errors)


def _check_targets(step: dict, known: dict, errors: _Errors) -> None:
    step_id = step["id"]
    for name in REQUIRED_TARGETS.get(step["type"], ()):
        if step.get(name) in (None, ""):
            errors.add(step_id, name, "required", f"choose the step for {name!r}",
                       f"请为 {name!r} 选择下一步骤")  # fmt: skip
    optional = ("on_error",) if step["type"] == "interface" else ()
    for name in (*REQUIRED_TARGETS.get(step["type"], ()), *optional):
        target = step.get(name)
        if target not in (None, "") and (not isinstance(target, str) or target not in known):
            errors.add(step_id, name, "unknown_step", f"{name} goes to {target!r}, which does "
                       "not exist", f"{name} 指向的步骤 {target!r} 不存在")  # fmt: skip
    mapping_name = MAP_TARGETS.get(step["type"])
    mapping = step.get(mapping_name) if mapping_name else None
    for value, target in mapping.items() if isinstance(mapping, dict) else ():
        if not isinstance(target, str) or target not in known:
            errors.add(step_id, mapping_name, "unknown_step", f"{value!r} goes to {target!r}, "
                       "which does not exist", f"{value!r} 指向的步骤 {target!r} 不存在")  # fmt: skip


def _check_prompt(step: dict, errors: _Errors, name: str = "prompt", required: bool = True):
    value = step.get(name)
    if value is None or value == "":
        if required:
            errors.add(
                step["id"], name, "required", "the prompt text is required", "请填写提示音文本"
            )
        return
    if not isinstance(value, str) or len(value) > MAX_PROMPT:
        errors.add(step["id"], name, "max_length", f"text of at most {MAX_PROMPT} characters",
                   f"须为不超过 {MAX_PROMPT} 个字符的文本")  # fmt: skip


def _check_audio(step: dict, errors: _Errors) -> None:
    audio = step.get("audio")
    if audio in (None, ""):
        return
    if not isinstance(audio, str) or len(audio) > 100 or not set(audio) <= AUDIO_CHARS:
        errors.add(step["id"], "audio", "pattern", "an audio file name: up to 100 letters, "
                   "digits, _ . -", "语音文件名：最多 100 个字母、数字、_ . -")  # fmt: skip


def _check_range(step: dict, errors: _Errors, name: str, low, high, default=None, number=False):
    value = step.get(name, default)
    ok = (_is_number if number else _is_int)(value) and low <= value <= high
    if not ok:
        errors.add(step["id"], name, "range", f"{name} must be a whole number from {low} to "
                   f"{high}" if not number else f"{name} must be a number from {low} to {high}",
                   f"{name} 须为 {low} 到 {high} 之间的数")  # fmt: skip


def _check_key(step: dict, errors: _Errors, name: str = "key") -> None:
    value = step.get(name)
    if not isinstance(value, str) or not DATA_KEY.match(value):
        errors.add(step["id"], name, "key_pattern", "a data key is a letter then up to 31 "
                   "letters, digits or _", "随路数据键须以字母开头，最多 32 个字母、数字或 _")  # fmt: skip


def _check_mapping(step: dict, errors: _Errors, name: str, required: bool = True) -> dict:
    value = step.get(name)
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or (required and not value):
        errors.add(step["id"], name, "required", f"{name} needs at least one entry",
                   f"{name} 至少需要一项")  # fmt: skip
        return {}
    if len(value) > MAX_ENTRIES:
        errors.add(step["id"], name, "max_items", f"at most {MAX_ENTRIES} entries in {name}",
                   f"{name} 最多 {MAX_ENTRIES} 项")  # fmt: skip
    return value


def _check_play(step: dict, errors: _Errors) -> None:
    _check_prompt(step, errors, required=not step.get("audio"))
    _check_audio(step, errors)


def _check_menu(step: dict, errors: _Errors) -> None:
    _check_prompt(step, errors)
    _check_prompt(step, errors, "invalid_prompt", required=False)
    _check_audio(step, errors)
    _check_range(step, errors, "retries", 0, MAX_RETRIES, default=0)
    _check_range(step, errors, "timeout_seconds", 1, 60, default=5)
    options = _check_mapping(step, errors, "options")
    for key in options:
        if key not in DTMF_KEYS:
            errors.add(step["id"], "options", "dtmf_key", f"option {key!r} is not one key of "
                       "0-9 * #", f"选项 {key!r} 不是 0-9 * # 中的一个按键")  # fmt: skip


def _check_collect(step: dict, errors: _Errors) -> None:
    _check_prompt(step, errors)
    _check_prompt(step, errors, "invalid_prompt", required=False)
    _check_audio(step, errors)
    _check_key(step, errors)
    _check_range(step, errors, "min_length", 1, MAX_DIGITS, default=1)
    _check_range(step, errors, "max_length", 1, MAX_DIGITS)
    low, high = step.get("min_length", 1), step.get("max_length")
    if _is_int(low) and _is_int(high) and low > high:
        errors.add(step["id"], "max_length", "min_max", "max_length must not be less than "
                   "min_length", "最大长度不能小于最小长度")  # fmt: skip
    terminator = step.get("terminator")
    if terminator not in (None, "", *TERMINATORS):
        errors.add(step["id"], "terminator", "choice", "the terminator is #, * or none",
                   "结束键须为 #、* 或不设置")  # fmt: skip
    _check_range(step, errors, "first_digit_timeout_seconds", 1, 60, default=10)
    _check_range(step, errors, "inter_digit_timeout_seconds", 1, 30, default=5)
    _check_range(step, errors, "retries", 0, MAX_RETRIES, default=0)
    if not isinstance(step.get("masked", False), bool):
        errors.add(step["id"], "masked", "type", "masked is true or false", "掩码须为是或否")


def _check_interface(step: dict, errors: _Errors) -> None:
    interface_id = step.get("interface_id")
    if not _is_int(interface_id) or interface_id < 1:
        errors.add(step["id"], "interface_id", "required", "choose an interface", "请选择接口")
    _check_range(step, errors, "timeout_seconds", 0.1, 30, default=5, number=True)
    body = step.get("body", {})
    if not isinstance(body, dict):
        errors.add(step["id"], "body", "type", "the body template is a JSON object",
                   "请求体模板须为 JSON 对象")  # fmt: skip
    else:
        _check_template(step["id"], body, errors)
    mapping = _check_mapping(step, errors, "map", required=False)
    for key, path in mapping.items():
        if not isinstance(key, str) or not DATA_KEY.match(key):
            errors.add(step["id"], "map", "key_pattern", f"{key!r} is not a well-formed data "
                       "key", f"{key!r} 不是合法的随路数据键")  # fmt: skip
        if not isinstance(path, str) or not _is_answer_path(path):
            errors.add(step["id"], "map", "path_pattern", f"the answer field of {key!r} must "
                       "be a dotted path like calldata.data.verifyResult",
                       f"{key!r} 的应答字段须为点分路径，如 calldata.data.verifyResult")  # fmt: skip


def _is_answer_path(path: str) -> bool:
    parts = path.split(".")
    return 0 < len(path) <= 200 and all(p and (p.replace("_", "").isalnum()) for p in parts)


def _template_strings(node: object):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _template_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _template_strings(value)


def _check_template(step_id: str, body: dict, errors: _Errors) -> None:
    import json  # only here: the size of the template as stored

    if len(json.dumps(body, ensure_ascii=False)) > MAX_BODY_CHARS:
        errors.add(step_id, "body", "max_length", f"the body template is at most "
                   f"{MAX_BODY_CHARS} characters", f"请求体模板最多 {MAX_BODY_CHARS} 个字符")  # fmt: skip
    for text in _template_strings(body):
        for match in TEMPLATE.finditer(text):
            if not DATA_KEY.match(match.group(1)):
                errors.add(step_id, "body", "key_pattern", f"{{{{{match.group(1)}}}}} does not "
                           "name a well-formed data key",
                           f"{{{{{match.group(1)}}}}} 不是合法的随路数据键")  # fmt: skip


def _check_set(step: dict, errors: _Errors) -> None:
    values = _check_mapping(step, errors, "values")
    for key, value in values.items():
        if not isinstance(key, str) or not DATA_KEY.match(key):
            errors.add(step["id"], "values", "key_pattern", f"{key!r} is not a well-formed "
                       "data key", f"{key!r} 不是合法的随路数据键")  # fmt: skip
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            errors.add(step["id"], "values", "max_length", f"the value of {key!r} is text of at "
                       f"most {MAX_VALUE} characters",
                       f"{key!r} 的值须为不超过 {MAX_VALUE} 个字符的文本")  # fmt: skip


def _check_branch(step: dict, errors: _Errors) -> None:
    _check_key(step, errors)
    cases = _check_mapping(step, errors, "cases")
    for value in cases:
        if len(value) > 64:
            errors.add(step["id"], "cases", "max_length", "a case value is at most 64 "
                       "characters", "分支取值最多 64 个字符")  # fmt: skip


def _check_transfer(step: dict, errors: _Errors) -> None:
    queue_id = step.get("queue_id")
    if not _is_int(queue_id) or queue_id < 1:
        errors.add(step["id"], "queue_id", "required", "choose a skill queue", "请选择技能队列")


def _check_release(step: dict, errors: _Errors) -> None:
    _check_prompt(step, errors, required=False)


CHECKS = {
    "play": _check_play,
    "menu": _check_menu,
    "collect": _check_collect,
    "interface": _check_interface,
    "set": _check_set,
    "branch": _check_branch,
    "transfer_queue": _check_transfer,
    "return_to_agent": lambda step, errors: None,
    "release": _check_release,
}


def _check_graph(known: dict[str, dict], errors: _Errors) -> None:
    _check_every_path_ends(known, errors)
    _check_loops(known, errors)


def _check_every_path_ends(known: dict[str, dict], errors: _Errors) -> None:
    """Walk backwards from the end steps; a step never reached cannot end the call."""
    callers: dict[str, set[str]] = {step_id: set() for step_id in known}
    for step_id, step in known.items():
        for target in targets(step):
            callers.setdefault(target, set()).add(step_id)
    ending = [s for s, step in known.items() if step["type"] in END_TYPES]
    reached, todo = set(ending), list(ending)
    while todo:
        for caller in callers.get(todo.pop(), ()):
            if caller not in reached:
                reached.add(caller)
                todo.append(caller)
    for step_id in known:
        if step_id not in reached:
            errors.add(step_id, "next", "no_end", "no path from this step ever ends the call "
                       "(transfer, return to agent or release)",
                       "从该步骤出发的路径永远不会结束通话（转技能队列、返回座席或挂机）")  # fmt: skip


def _check_loops(known: dict[str, dict], errors: _Errors) -> None:
    """A cycle through automatic steps only: depth-first search over those steps."""
    automatic = {s: step for s, step in known.items() if step["type"] not in INPUT_TYPES}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[str] = set()
    for root in automatic:
        if state.get(root):
            continue
        stack = [(root, iter(targets(automatic[root])))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif child in automatic and state.get(child) == 1 and child not in reported:
                reported.add(child)
                errors.add(child, "next", "loop_without_input", "this step is on a loop that "
                           "never waits for the caller's keys (add a menu or collect step)",
                           "该步骤所在的循环中没有等待客户按键的步骤（请加入菜单或收号步骤）")  # fmt: skip
            elif child in automatic and not state.get(child):
                state[child] = 1
                stack.append((child, iter(targets(automatic[child]))))
