"""CSV files of base tables (R-TBL-2): upload checks, decoding, records, row validation,
duplicate index values, storage round trip and formula escaping on export."""

import pytest

from agentdesk.config_center.basetables import csvfile
from agentdesk.config_center.basetables import fields as rules
from agentdesk.config_center.basetables.rowcodec import RowCodec
from agentdesk.config_center.basetables.upload import Findings, check_upload
from agentdesk.kit.crypto import KeyRing
from agentdesk.kit.errors import ValidationFailed

HEADER = ["手机号", "姓名", "级别", "生日", "时间", "积分"]


def definition() -> list[dict]:
    def f(name, **values):
        return {
            "key": None,
            "name": name,
            "index": False,
            "encrypted": False,
            "required": False,
            "type": "string",
            "length": 20,
            "mask": False,
            "mask_style": None,
            "items": None,
            **values,
        }

    fields = [
        f("手机号", index=True, required=True, encrypted=True),
        f("姓名", required=True, length=4, encrypted=True),
        f("级别", type="dictionary", length=None, items=[{"key": "1", "value": "金卡"}]),
        f("生日", type="date", length=None),
        f("时间", type="time", length=None),
        f("积分", type="number", length=6),
    ]
    rules.assign_keys_and_slots(fields, [], False, 1)
    return fields


KEYS = KeyRing([("k1", b"k" * 32)], b"b" * 32)


def codec() -> RowCodec:
    return RowCodec(definition(), KEYS, 1, 2)


def refused(call) -> tuple[str, str, str]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    error = caught.value.errors[0]
    return error.field, error.rule, error.message


# ---- the upload -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["客户资料_2024.csv", "abc.CSV", "数据.csv", "A_1.csv", "客户-资料.csv", "2024-01-31.csv"],
)
def test_accepted_file_names(name):
    csvfile.check_upload(name, 10)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("客户 资料.csv", "file_name"),
        ("données.csv", "file_name"),
        ("../x.csv", "file_name"),
        ("客户.xlsx", "extension"),
        ("客户", "extension"),
        (".csv", "file_name"),
    ],
)
def test_refused_file_names(name, rule):
    assert refused(lambda: csvfile.check_upload(name, 10))[:2] == ("file", rule)


def test_twenty_megabytes_is_the_limit():
    csvfile.check_upload("a.csv", 20 * 1024 * 1024)
    assert refused(lambda: csvfile.check_upload("a.csv", 20 * 1024 * 1024 + 1))[1] == "too_large"
    assert refused(lambda: csvfile.check_upload("a.csv", 0))[1] == "empty"


def test_utf8_with_and_without_bom_and_gb18030_are_read():
    text = "手机号,姓名\r\n13800000001,张三\r\n"
    for data, encoding in [
        (text.encode("utf-8-sig"), csvfile.UTF8),
        (text.encode("utf-8"), csvfile.UTF8),
        (text.encode("gb18030"), csvfile.GB18030),
    ]:
        assert csvfile.detect_encoding(data) == encoding
        assert csvfile.read_header(data, encoding) == ["手机号", "姓名"]
        chunks = list(csvfile.record_chunks(data, encoding))
        assert chunks[0][1] == [["13800000001", "张三"]]


def test_a_file_that_is_neither_encoding_is_refused():
    assert refused(lambda: csvfile.detect_encoding(b"a,b\r\n\x80\xff\xfe,x\r\n"))[1] == "encoding"


def test_control_characters_are_refused_with_their_line():
    data = b"a,b\r\n1,2\r\n3,x\x1fy\r\n"
    field, rule, message = refused(lambda: csvfile.check_forbidden_bytes(data))
    assert (field, rule) == ("file", "control_character") and "line 3" in message


@pytest.mark.parametrize(
    ("found", "fragment"),
    [
        (["手机号", "姓名"], "missing column(s): 级别"),
        ([*HEADER, "多余"], "unknown column(s): 多余"),
        ([HEADER[1], HEADER[0], *HEADER[2:]], "another order"),
        ([], "no header"),
    ],
)
def test_the_header_must_equal_the_template(found, fragment):
    field, rule, message = refused(lambda: csvfile.check_header(found, HEADER))
    assert (field, rule) == ("file", "header") and fragment in message


def test_check_upload_runs_every_check_and_reports_the_encoding():
    data = (",".join(HEADER) + "\r\n").encode("gb18030") + "1,张三,1,,,\r\n".encode("gb18030")
    upload = check_upload("客户.csv", data, HEADER)
    assert upload.encoding == csvfile.GB18030
    bad_header = "手机,姓名\r\n".encode()
    assert refused(lambda: check_upload("客户.csv", bad_header, HEADER))[1] == "header"


# ---- records ----------------------------------------------------------------------------


def test_quoted_newlines_empty_lines_and_line_numbers():
    data = (
        "\ufeff手机号,备注\r\n"
        "\r\n"
        '1,"第一行\r\n第二行"\r\n'
        ",\r\n"  # a row of empty cells, as Excel writes them
        '2,"带,逗号"\r\n'
        "\r\n"
        "3,x"  # no final line break
    ).encode()
    (lines, records, _), *rest = list(csvfile.record_chunks(data, csvfile.UTF8))
    assert rest == []
    assert records == [["1", "第一行\r\n第二行"], ["2", "带,逗号"], ["3", "x"]]
    assert lines == [3, 6, 8]


def test_chunks_keep_their_order_and_line_numbers():
    data = ("h\r\n" + "".join(f"{i}\r\n" for i in range(5))).encode()
    chunks = list(csvfile.record_chunks(data, csvfile.UTF8, size=2))
    assert [c[1] for c in chunks] == [[["0"], ["1"]], [["2"], ["3"]], [["4"]]]
    assert [c[0] for c in chunks] == [[2, 3], [4, 5], [6]]


# ---- row validation ---------------------------------------------------------------------


def test_good_rows_are_normalised():
    result = codec().check(
        [2, 3],
        [
            ["13800000001", "张三", "1", "2024/1/5", "9:05", "-12.5"],
            [" 13800000002 ", "李四", "", "", "23:59:59", ""],
        ],
    )
    assert result.ok
    assert result.columns[0] == ("13800000001", "13800000002")  # the index is stripped
    assert result.columns[3] == ("2024-01-05", "")
    assert result.columns[4] == ("09:05:00", "23:59:59")


@pytest.mark.parametrize(
    ("row", "field", "rule", "reason"),
    [
        (["", "张三", "1", "", "", ""], "手机号", "required", "required"),
        (["1", "", "1", "", "", ""], "姓名", "required", "required"),
        (["1", "张三丰大侠", "1", "", "", ""], "姓名", "length", "longer than 4"),
        (["1", "张三", "9", "", "", ""], "级别", "dictionary", "not a key"),
        (["1", "张三", "1", "2024-02-30", "", ""], "生日", "date", "not a date"),
        (["1", "张三", "1", "yesterday", "", ""], "生日", "date", "not a date"),
        (["1", "张三", "1", "", "25:00", ""], "时间", "time", "not a time"),
        (["1", "张三", "1", "", "", "12a"], "积分", "number", "not a number"),
        (["1", "张三", "1", "", "", "1234567"], "积分", "length", "longer than 6"),
        (["1", "张三", "1"], "", "columns", "expected 6 columns, found 3"),
    ],
)
def test_each_bad_cell_is_named_with_line_field_and_reason(row, field, rule, reason):
    good = ["13800000001", "张三", "1", "", "", ""]
    c = codec()
    assert c.valid_columns([good, row, good]) is None  # the import's fast check agrees
    assert c.valid_columns([good, good]) is not None
    result = c.check([2, 3, 4], [good, row, good])
    assert not result.ok
    assert [(r.line, r.field, r.rule) for r in result.rejections] == [(3, field, rule)]
    assert reason in result.rejections[0].reason


def test_duplicate_index_values_within_the_file():
    findings = Findings()
    findings.check_duplicates(["a", "b"], [2, 3], "手机号")
    assert not findings.failed
    findings.check_duplicates(["c", "a", "c"], [4, 5, 6], "手机号")
    summary = findings.summary()
    assert summary["rejected_count"] == 2
    assert summary["rejected"] == [
        {
            "line": 5,
            "field": "手机号",
            "rule": "duplicate",
            "reason": "duplicate index value (see line 2)",
        },
        {
            "line": 6,
            "field": "手机号",
            "rule": "duplicate",
            "reason": "duplicate index value (see line 4)",
        },
    ]


def test_rejections_are_capped_but_counted():
    findings = Findings()
    findings.check_duplicates(["x"] * 1500, list(range(1, 1501)), "k")
    summary = findings.summary()
    assert summary["rejected_count"] == 1499 and len(summary["rejected"]) == 1000


# ---- storage ----------------------------------------------------------------------------


def test_rows_round_trip_encrypted_and_formula_cells_are_kept_as_text():
    c = codec()
    result = c.check([2], [["13800000001", "=1+2", "1", "2024-01-05", "10:00:00", "-5"]])
    assert result.ok
    keys = c.index_keys(result.columns)
    index_keys, plain, secrets = c.encode(result.columns, keys)
    # the index is stored blind, under the key of this tenant's table
    assert index_keys == [KEYS.blind_index("13800000001", scope=c.scope)]
    assert c.scope == "base-table:1:2"
    assert b"13800000001" not in secrets[0] and b"=1+2" not in secrets[0]
    values = c.decode(index_keys[0], plain[0], secrets[0])
    assert values == ["13800000001", "=1+2", "1", "2024-01-05", "10:00:00", "-5"]
    assert c.shown(values)["级别"] == "金卡"
    assert c.lookup_key(" 13800000001 ") == index_keys[0]


def test_an_envelope_only_opens_in_its_own_table():
    c = codec()
    result = c.check([2], [["1", "张三", "", "", "", ""]])
    _, plain, secrets = c.encode(result.columns, c.index_keys(result.columns))
    other = RowCodec(definition(), KEYS, 1, 3)
    with pytest.raises(Exception, match="associated data"):
        other.decode(None, plain[0], secrets[0])


def test_export_escapes_cells_a_spreadsheet_would_run():
    assert [csvfile.escape_formula(v) for v in ["=1+2", "+1", "-5", "@SUM(A1)", "\tx", "\rx"]] == [
        "'=1+2",
        "'+1",
        "'-5",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert csvfile.escape_formula("张三=") == "张三="
    data = b"".join(csvfile.csv_lines([["姓名", "公式"], ["张三", '=HYPERLINK("x")']], bom=True))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == '姓名,公式\r\n张三,"\'=HYPERLINK(""x"")"\r\n'


def test_the_template_is_the_header_with_a_bom():
    assert csvfile.template_bytes(HEADER) == ("\ufeff" + ",".join(HEADER) + "\r\n").encode()


@pytest.mark.parametrize(
    "row",
    [
        ["1", "张三", "1", "", "", "12a-SECRETNUM"],
        ["1", "张三", "9-SECRETKEY", "", "", ""],
        ["1", "张三", "1", "SECRETDATE", "", ""],
        ["1", "张三", "1", "", "SECRETTIME", ""],
    ],
)
def test_reasons_name_the_field_and_rule_never_the_value(row):
    """Regression (issue 8, item 9): `not a number: 12a-SECRETNUM` quoted the value."""
    result = codec().check([2], [row])
    assert result.rejections
    assert all("SECRET" not in r.reason for r in result.rejections)


def test_values_shaped_like_their_mask_are_refused():
    """Regression (issue 8, item 12): re-importing an export of masked values replaced the
    real ID numbers with asterisks."""
    fields = definition()
    fields[1].update(mask=True, mask_style="first4", length=18)
    fields[5].update(mask=True, mask_style="last4", type="string", length=18)
    c = RowCodec(fields, KEYS, 1, 1)
    good = ["13800000001", "1101991234", "1", "", "", "a*b*c*d*e"]
    masked = ["13800000002", "1101**************", "1", "", "", "**************1234"]
    assert c.valid_columns([good]) is not None
    assert c.valid_columns([good, masked]) is None
    result = c.check([2, 3], [good, masked])
    assert [(r.line, r.field, r.rule) for r in result.rejections] == [
        (3, "姓名", "masked"),
        (3, "积分", "masked"),
    ]
    assert (
        rules.mask("1101991234", "first4").startswith("1101")
        and c.check([2], [["1", "1101", "1", "", "", "****"]]).ok
    )  # four characters or fewer are never masked
