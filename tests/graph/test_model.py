"""The vocabulary loads, is checked at load, and builds valid nodes and edges."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from graph.exc import InvalidIdentifier, InvalidModel, SchemaViolation
from graph.model import VOCABULARY_FILE, GraphModel, NodeRef, load_model


def _write(tmp_path: Path, mutate: object) -> Path:
    raw = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    assert callable(mutate)
    mutate(raw)
    path = tmp_path / "vocabulary.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_vocabulary_declares_the_design(model: GraphModel) -> None:
    assert set(model.nodes) == {"Enterprise", "Person", "Vehicle", "Project", "Contact"}
    assert {
        "LEGAL_REP_OF",
        "SHAREHOLDER_OF",
        "OFFICER_OF",
        "EMPLOYED_BY",
        "OWNS",
        "OPERATES",
        "DRIVES",
        "BID_ON",
        "CONTRACTED",
        "MANAGES",
        "HAS_CONTACT",
    } <= set(model.edges)
    assert "LegalRepresentative" in model.labels and "Node" in model.labels


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda v: v["edges"]["OWNS"].update({"to": ["Boat"]}), "unknown node kind 'Boat'"),
        (lambda v: v["nodes"]["Vehicle"].update({"key": ["frame_no"]}), "frame_no"),
        (lambda v: v["edges"]["DRIVES"].update({"labels_source": "Pilot"}), "Pilot"),
        (lambda v: v["edges"]["OWNS"].update({"properties": {"eid": {"type": "str"}}}), "reserved"),
        (lambda v: v["nodes"]["Project"].update({"colour": "red"}), "colour"),
    ],
)
def test_inconsistent_vocabulary_fails_at_load(
    tmp_path: Path, mutate: object, message: str
) -> None:
    with pytest.raises(InvalidModel, match=message):
        load_model(_write(tmp_path, mutate))


def test_make_node_validates_identifiers_and_types(model: GraphModel) -> None:
    node = model.make_node(
        "Enterprise", {"uscc": "９1110000600037341l", "established": "2015-04-01", "name": " 甲 "}
    )
    assert node.key == "91110000600037341L"
    assert node.props == {
        "uscc": "91110000600037341L",
        "established": date(2015, 4, 1),
        "name": "甲",
    }
    with pytest.raises(InvalidIdentifier, match="uscc"):
        model.make_node("Enterprise", {"uscc": "91110000600037341N"})
    with pytest.raises(SchemaViolation, match="no property 'colour'"):
        model.make_node("Enterprise", {"uscc": "91110000600037341L", "colour": "red"})
    with pytest.raises(SchemaViolation, match="needs 'plate_color'"):
        model.make_node("Vehicle", {"plate": "吉A12345"})
    with pytest.raises(SchemaViolation, match="channel"):
        model.make_node("Contact", {"channel": "fax", "value": "1"})


def test_unresolved_person_keeps_an_explicit_key(model: GraphModel) -> None:
    node = model.make_node("Person", {"name": "王军", "unresolved": "是"}, key="unresolved:f.csv:7")
    assert node.ref == NodeRef("Person", "unresolved:f.csv:7")
    assert node.props == {"name": "王军", "unresolved": True}


def test_make_edge_checks_endpoints_dates_and_properties(model: GraphModel) -> None:
    person, company = NodeRef("Person", "p"), NodeRef("Enterprise", "e")
    edge = model.make_edge("SHAREHOLDER_OF", person, company, props={"ratio": "0.6"})
    assert edge.props == {"ratio": 0.6}
    with pytest.raises(SchemaViolation, match="cannot end at Person"):
        model.make_edge("LEGAL_REP_OF", person, person)
    with pytest.raises(SchemaViolation, match="before valid_from"):
        model.make_edge(
            "LEGAL_REP_OF", person, company, valid_from=date(2020, 1, 2), valid_to=date(2020, 1, 1)
        )
    with pytest.raises(SchemaViolation, match="unknown relationship type"):
        model.make_edge("KNOWS", person, company)


def test_edge_identity_ignores_properties_but_not_start(model: GraphModel) -> None:
    person, company = NodeRef("Person", "p"), NodeRef("Enterprise", "e")
    first = model.make_edge("LEGAL_REP_OF", person, company, valid_from=date(2019, 1, 1))
    renamed = model.make_edge(
        "LEGAL_REP_OF", person, company, valid_from=date(2019, 1, 1), source="other.csv"
    )
    again = model.make_edge("LEGAL_REP_OF", person, company, valid_from=date(2022, 1, 1))
    assert first.eid == renamed.eid != again.eid
