"""Every message the server can send has a Chinese translation (issue 12 item 8).

The messages are found in the source, not listed by hand: every string (or f-string, with
`{}` for its values) given as the message of a `FieldError`, `ValidationFailed.single`, a
`DomainError` subclass, a `PydanticCustomError`, an `AnswerError` or a refused-cell reason,
directly or through a local variable of the same function. A message built some other way
must be reviewed and listed in `RELAYS` (with why it is covered), so a new one fails here.
Every pydantic error type has a Chinese template too.
"""

import ast
import re
import typing
from pathlib import Path

import pytest
from pydantic_core.core_schema import ErrorType

from agentdesk.kit import messages_zh
from agentdesk.kit.errors import DomainError, FieldError, NotFound, ValidationFailed
from agentdesk.kit.messages import pydantic_message, translate
from agentdesk.kit.validation import field_errors_from_pydantic

SRC = Path(__file__).resolve().parents[2] / "src" / "agentdesk"
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
CJK = re.compile(r"[\u4e00-\u9fff]")

# callable name -> index of its message argument
MESSAGE_ARG = {
    "FieldError": 2,
    "single": 2,
    "NotFound": 0,
    "Forbidden": 0,
    "Conflict": 0,
    "Unauthorized": 0,
    "DomainError": 0,
    "TooManyRequests": 0,
    # these carry FieldErrors (checked where each is made) or their own Chinese
    "ValidationFailed": None,
    "LimitReached": None,
    "PydanticCustomError": 1,
    "AnswerError": 2,
    "Rejection": 3,  # a refused line of a base-table import: line, field, rule, reason
    "failed": 0,  # an enterprise interface's failed call (interfaces/caller.py)
    "InterfaceUnusable": 0,
    "_Refused": None,  # a refused import: only its `error=`
    "_finish": None,
}
MESSAGE_KEYWORDS = ("message", "error")

# Messages passed on from another error, whose own message is checked where it is raised.
RELAYS = {
    ("tenancy/service.py", "e.message"),
    ("config_center/custompages/internal.py", "exc.message"),
    ("config_center/custompages/service.py", "e.message"),
    ("kit/validation.py", "err['msg']"),  # pydantic's messages: translated by error type
    # The whitelist's parse errors (BadUrl) and the URL problems: sampled in SAMPLES below.
    ("config_center/screenpop/service.py", "str(exc)"),
    ("config_center/whitelist/service.py", "str(exc)"),
    ("ivr/api.py", "str(exc)"),  # BadRun's three messages: in the catalog
    ("ivr/service.py", "problem.message_en"),  # the validator gives its own message_zh
    # NumberKind.taken: "access code {n} already exists" / "number {n} already exists", both
    # in the catalog; value_of/values[field] are the number itself, an argument.
    ("tenancy/numbers.py", "kind.taken.format(number=number)"),
    ("tenancy/numbers.py", "kind.value_of(row)"),
    ("tenancy/numbers.py", "values[kind.field]"),
    ("kit/validation.py", "_url_problem(exc)"),
    (
        "config_center/screenpop/service.py",
        "'call data is one of: ' + ', '.join(popparams.CALL_DATA_KEYS)",
    ),
    ("config_center/basetables/importer.py", "INTERRUPTED"),  # a constant: in SAMPLES
    ("config_center/interfaces/api.py", "exc.message"),  # InterfaceUnusable's, checked there
    ("config_center/interfaces/caller.py", "_http_error(answer.status, answer.body)"),
    ("kit/outbound.py", "exc.message"),  # BlockedAddress's, checked where it is raised
    ("kit/outbound.py", "str(exc)"),  # the URL's ValueErrors: in SAMPLES
    ("kit/outbound.py", "no_answer_message(timeout)"),  # in SAMPLES
    ("config_center/basetables/csvfile.py", "message"),
}

# Messages composed from parts: a real instance of each.
SAMPLES = [
    "the header does not match the template: missing column(s): phone; unknown column(s): x1",
    "the columns are in another order; expected: phone, name",
    "the file has no header row",
    "call data is one of: callerNum, calledNum",
    "the URL cannot be parsed",
    "the port must be a number from 0 to 65535",
    "answer[0].values[2]: value is missing",
    "the interface answered HTTP 500: upstream failed",
    "the interface answered HTTP 302 (a redirect); redirects are not followed",
    "the interface could not be called: no HTTP answer: the connection was refused, failed or "
    "timed out (time-out 3000 ms)",
    "the interface could not be called: the host name could not be resolved",
    "the interface could not be called: only http:// and https:// URLs can be called",
    "the interface could not be called: 10.0.0.1 is not a public address (private); the server "
    "only connects to public ones",
    "line 7: not a date (YYYY-MM-DD)",
    "longer than 20 characters (31)",
    "not a key of the value range",
    "a masked value (asterisks), not the real value",
    "cannot dial while talking",
    "cannot sign out while ringing",
    "cannot set busy while held",
    "not a number",
    "not a time (HH:MM or HH:MM:SS)",
    "interrupted: the server stopped during the import; nothing was written",
    "interrupted: the worker w-12 that ran the import stopped; nothing was written",
    "3 row(s) refused; nothing was imported",
    "replacing deletes the table's 5 row(s) and imports the file's 7: send expected_rows=5 to confirm",
]


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _template(node: ast.expr) -> list[str] | None:
    """The message template(s) of an expression, or None when it is not literal text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            is_text = isinstance(value, ast.Constant)
            parts.append(value.value if is_text else "{}")
        return ["".join(parts)]
    if isinstance(node, ast.IfExp):
        body, orelse = _template(node.body), _template(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


def _assignments(function: ast.AST) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
    return found


def _parameter_owner(argument: ast.expr, call: ast.Call, tree: ast.AST):
    """The innermost function around `call` with `argument` as a parameter, if any."""
    if not isinstance(argument, ast.Name):
        return None
    owner = None
    for function in ast.walk(tree):
        takes_it = isinstance(function, FUNCTIONS) and argument.id in [
            a.arg for a in function.args.args
        ]
        if takes_it and any(node is call for node in ast.walk(function)):
            owner = function
    return owner


def _parameter_index(argument: ast.Name, function: ast.AST) -> int:
    names = [a.arg for a in function.args.args]
    index = names.index(argument.id)
    return index - 1 if names[0] in ("self", "cls") else index


def _messages_in(path: Path, helpers: dict) -> tuple[list, list]:
    """(location, template) of every message in one module, and the unresolved arguments;
    helpers that relay a parameter as the message are added to `helpers`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = str(path.relative_to(SRC))
    found, unresolved = [], []
    # Subclasses of an error take their message where their base does (BlockedAddress…).
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = [_call_name(b) for b in node.bases if _call_name(b) in helpers]
            if bases and node.name not in helpers:
                helpers[node.name] = helpers[bases[0]]
    # Each call with its innermost function (ast.walk meets outer functions first).
    home: dict[ast.Call, ast.AST] = {}
    for function in [tree, *(n for n in ast.walk(tree) if isinstance(n, FUNCTIONS))]:
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and _call_name(node.func) in helpers:
                home[node] = function
    for node, function in home.items():
        argument = _message_argument(node, helpers)
        if argument is None:
            continue
        templates = _template(argument)
        local = _assignments(function) if function is not tree else {}
        if templates is None and isinstance(argument, ast.Name) and argument.id in local:
            resolved = [_template(v) for v in local[argument.id]]
            if all(r is not None for r in resolved):
                templates = [t for r in resolved for t in r]
        owner = _parameter_owner(argument, node, tree)
        if templates is None and owner is not None:
            # A helper that passes its parameter on as the message (directly or from a
            # closure): its callers' arguments are messages too (found on the next pass).
            helpers.setdefault(owner.name, _parameter_index(argument, owner))
            continue
        if templates is None:
            unresolved.append((where, ast.unparse(argument)))
            continue
        found += [(f"{where}:{node.lineno}", t) for t in templates]
    return found, unresolved


def _message_argument(node: ast.Call, helpers: dict) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg in MESSAGE_KEYWORDS:
            return keyword.value
    index = helpers[_call_name(node.func)]
    if index is not None and len(node.args) > index:
        return node.args[index]
    return None


def _source_messages():
    helpers = dict(MESSAGE_ARG)
    while True:
        known = dict(helpers)
        found, unresolved = [], []
        for path in sorted(SRC.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            messages, loose = _messages_in(path, helpers)
            found += messages
            unresolved += loose
        if helpers == known:
            return found, unresolved


def _instance(template: str) -> str:
    # PydanticCustomError templates name their values ("{name}"): fill them like f-strings.
    template = re.sub(r"\{[a-z_]+\}", "{}", template)
    values = iter(f"Q{i}" for i in range(1, 20))
    return re.sub(r"\{\}", lambda _: next(values), template)


MESSAGES, UNRESOLVED = _source_messages()


def test_the_source_scan_finds_the_messages():
    # A broken scan would pass everything: it must keep finding what is there today.
    assert len(MESSAGES) > 150
    assert any(t == "wrong username or password" for _, t in MESSAGES)
    assert any(t == "nothing to answer while {}" for _, t in MESSAGES)


def test_every_message_built_in_another_way_is_reviewed():
    assert sorted(set(UNRESOLVED) - RELAYS) == []


@pytest.mark.parametrize(("where", "template"), MESSAGES, ids=[w for w, _ in MESSAGES])
def test_every_server_message_has_chinese(where, template):
    if not re.search("[A-Za-z]", re.sub(r"\{[a-z_]*\}", "", template)):
        return  # values and punctuation only ("{}: {}"): relays of messages checked elsewhere
    english = _instance(template)
    chinese = translate(english, "zh")
    assert chinese != english and CJK.search(chinese), f"{where}: no Chinese for {template!r}"


@pytest.mark.parametrize("english", SAMPLES)
def test_composed_messages_have_chinese(english):
    chinese = translate(english, "zh")
    assert CJK.search(chinese) and not re.search(r"\b(the|is|not|of|a)\b", chinese), chinese


def test_every_pydantic_error_type_has_chinese():
    missing = [t for t in typing.get_args(ErrorType) if t not in messages_zh.PYDANTIC]
    assert missing == []


def test_pydantic_errors_fill_their_context_in_chinese():
    assert pydantic_message("string_too_long", "x", {"max_length": 64}, "zh") == "最多 64 个字符"
    assert pydantic_message("less_than_equal", "x", {"le": 5}, "zh") == "不能大于 5"
    chosen = pydantic_message("literal_error", "x", {"expected": "'a', 'b' or 'c'"}, "zh")
    assert chosen == "取值无效，可选：a、b、c"
    # English stays pydantic's own text
    assert pydantic_message("missing", "Field required", None, "en") == "Field required"


def test_pydantic_custom_messages_come_from_the_catalog():
    [error] = field_errors_from_pydantic(
        [
            {
                "type": "username",
                "loc": ("body", "username"),
                "msg": "letters, digits and . _ @ - only (no spaces)",
            }
        ]
    )
    assert error.rule == "username"
    assert error.as_dict("zh")["message"] == "只能包含字母、数字和 . _ @ -（不能有空格）"
    assert error.as_dict("en")["message"] == "letters, digits and . _ @ - only (no spaces)"


def test_values_keep_their_place_and_terms_are_translated():
    assert translate("skill queue 12 not found", "zh") == "技能队列 12 不存在"
    assert (
        translate("nothing to answer while talking", "zh") == "当前状态为通话中，没有可应答的呼叫"
    )
    assert translate("line 4: not a number", "zh") == "第 4 行：不是数字"


def test_english_and_unknown_text_pass_through():
    assert translate("skill queue 12 not found", "en") == "skill queue 12 not found"
    assert translate("something: else", "zh") == "something: else"


def test_errors_render_in_the_asked_language_with_stable_codes():
    error = NotFound("tenant demo not found")
    assert (error.code, error.message_in("zh")) == ("not_found", "租户 demo 不存在")
    assert error.message_in("en") == "tenant demo not found"
    own = DomainError("x", message_zh="自带的中文")
    assert own.message_in("zh") == "自带的中文"
    failed = ValidationFailed([FieldError("name", "unique", "role Ops already exists")])
    assert ValidationFailed.detail_in("zh", failed.errors) == "name: 角色 Ops 已存在"


def test_third_party_text_is_kept_as_it_is():
    answer = '{"errorMsg":"customer query failed: no such customer"}'
    chinese = translate(f"the interface answered HTTP 400: {answer}", "zh")
    assert chinese == f"接口返回 HTTP 400：{answer}"
