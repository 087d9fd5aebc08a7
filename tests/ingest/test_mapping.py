"""Mappings: validated at load with errors naming the YAML line; built-ins; a user's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import GraphModel, NodeRef
from graph.stores.memory import MemoryStore
from ingest.mapping import MappingError, parse_mapping
from ingest.mappings import builtin_mappings, chinese_mappings, choose_mapping, find_mapping
from ingest.pipeline import IngestOptions, ingest_paths

GOOD = """\
version: 1
name: my-register
match: {headers: [代码, 名称]}
nodes:
  company:
    kind: Enterprise
    props:
      uscc: 代码
      name: 名称
  boss:
    kind: Person
    optional: true
    unresolved_by: name
    props: {id_no: 负责人证件, name: 负责人}
edges:
  - {type: PRINCIPAL_OF, from: boss, to: company}
"""


def _line_error(text: str, model: GraphModel) -> MappingError:
    with pytest.raises(MappingError) as info:
        parse_mapping(text, model, source="my.yaml")
    return info.value


def test_good_mapping_loads(model: GraphModel) -> None:
    mapping = parse_mapping(GOOD, model)
    assert mapping.columns() == {"代码", "名称", "负责人证件", "负责人"}


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("kind: Enterprise", "kind: Company", 6, "unknown node kind 'Company'"),
        ("      name: 名称", "      nmae: 名称", 9, "Enterprise has no property 'nmae'"),
        ("type: PRINCIPAL_OF", "type: OWNS", 16, "OWNS cannot to Enterprise"),
        ("from: boss", "from: chief", 16, "no node called 'chief'"),
        ("unresolved_by: name", "unresolved_by: nickname", 13, "not one of its props"),
        ("    optional: true", "    optional: maybe", 12, "valid boolean"),
        ("version: 1", "version: 2", 1, "Input should be 1"),
        ("      uscc: 代码\n", "", 7, "needs its key ['uscc'] mapped"),
        ("match: {headers: [代码, 名称]}", "match: {headers: [代码, 名称}", 3, "while parsing"),
    ],
)
def test_errors_name_the_yaml_line(
    model: GraphModel, old: str, new: str, line: int, message: str
) -> None:
    assert old in GOOD
    error = _line_error(GOOD.replace(old, new), model)
    assert error.line == line, str(error)
    assert message in str(error)
    assert str(error).startswith(f"mapping my.yaml, line {line}")


def test_not_an_object(model: GraphModel) -> None:
    assert _line_error("- a\n- b\n", model).line == 1


def test_builtin_chinese_mappings_are_valid(model: GraphModel) -> None:
    names = {m.name for m in chinese_mappings(model)}
    expected = {"cn-enterprise", "cn-shareholder", "cn-vehicle", "cn-practitioner", "cn-bid"}
    assert names >= expected | {"cn-overload", "cn-credit"}


def test_choose_mapping_by_path_then_headers(model: GraphModel) -> None:
    mappings = builtin_mappings(model)
    assert choose_mapping("nodes/person.csv", [], mappings).name == "canonical:nodes/person"
    headers = ["姓名", "身份证号", "岗位", "车牌号码", "车牌颜色"]
    assert choose_mapping("人员.csv", headers, mappings).name == "cn-practitioner"
    with pytest.raises(MappingError, match="no built-in mapping fits"):
        choose_mapping("x.csv", ["foo", "bar"], mappings)


def test_find_mapping(model: GraphModel, tmp_path: Path) -> None:
    assert find_mapping("cn-bid", model).name == "cn-bid"
    path = tmp_path / "my.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert find_mapping(str(path), model).name == "my-register"
    with pytest.raises(MappingError, match="no such mapping"):
        find_mapping("nope", model)


def test_user_mapping_one_row_many_records(model: GraphModel, tmp_path: Path) -> None:
    mapping = tmp_path / "my.yaml"
    mapping.write_text(GOOD, encoding="utf-8")
    data = tmp_path / "register.csv"
    data.write_text(
        "代码,名称,负责人,负责人证件\n"
        "91220101MA00000114,长春甲运输有限公司,王军,110101198001010010\n"
        "91220101MA00000228,长春乙物流有限公司,王军,\n",
        encoding="utf-8",
    )
    store = MemoryStore(model)
    summary = ingest_paths([data], store, IngestOptions(mapping=str(mapping)))
    assert summary.files[0].mapping == "my-register"
    assert (summary.files[0].nodes, summary.files[0].edges) == (4, 2)
    counts = store.counts()
    assert counts.nodes["Person"] == 2  # the second 王军 has no ID: not merged by name
    boss = store.get_node(NodeRef("Person", "110101198001010010"))
    assert boss is not None and boss.props["name"] == "王军"


def test_missing_key_column_fails_before_loading(model: GraphModel, tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text("名称,代码2\n甲,1\n", encoding="utf-8")
    mapping = tmp_path / "my.yaml"
    mapping.write_text(GOOD.replace("match: {headers: [代码, 名称]}", "match: {}"), "utf-8")
    with pytest.raises(MappingError, match="none of the columns"):
        ingest_paths([data], MemoryStore(model), IngestOptions(mapping=str(mapping)))
