"""Masking of natural persons' data: the pure function, and through the API per role."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.masking import Clearance, mask_document, mask_id_no, mask_json, mask_text
from api.security import ROLE_CLEARANCE, Role
from graph.identifiers import complete_id_no
from graph.model import load_model
from graph.stores.base import Path as GraphPath
from graph.stores.base import Subgraph
from tests.api.conftest import Api

WANG = "110101199003070011"
WANG_MASKED = "110101********0011"
PERSON_URL = f"/v1/entities/Person/{WANG}"


# -- through the API, per role --------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "id_no", "name"),
    [
        (Role.PUBLIC, WANG_MASKED, "王*"),
        (Role.REVIEWER, WANG_MASKED, "王军"),
        (Role.ANALYST, WANG_MASKED, "王军"),
        (Role.INVESTIGATOR, WANG, "王军"),
        (Role.ADMIN, WANG, "王军"),
        (None, WANG_MASKED, "王*"),  # anonymous = public
    ],
)
def test_person_lookup_per_role(api: Api, role: Role | None, id_no: str, name: str) -> None:
    response = api.get(PERSON_URL, role=role)
    assert response.status_code == 200
    entity = response.json()["entity"]
    assert entity["uid"] == f"Person:{id_no}"
    assert entity["key"] == id_no
    assert entity["props"] == {"id_no": id_no, "name": name}
    assert int(response.headers["content-length"]) == len(response.content)
    if id_no != WANG:
        assert WANG not in response.text


@pytest.mark.parametrize("role", list(Role))
def test_search_results_are_masked_like_lookups(api: Api, role: Role) -> None:
    found = api.get("/v1/entities", params={"q": "王军"}, role=role).json()["results"][0]
    looked_up = api.get(PERSON_URL, role=role).json()["entity"]
    assert found["entity"] == looked_up
    hidden = ROLE_CLEARANCE[role] is not Clearance.FULL
    assert (WANG not in json.dumps(found)) is hidden


@pytest.mark.parametrize(
    ("role", "value"),
    [(Role.PUBLIC, "138****8000"), (Role.REVIEWER, "138****8000"), (Role.ADMIN, "13800138000")],
)
def test_contact_lookup_per_role(api: Api, role: Role, value: str) -> None:
    entity = api.get("/v1/entities/Contact/phone|13800138000", role=role).json()["entity"]
    assert entity["key"] == f"phone|{value}"
    assert entity["props"] == {"channel": "phone", "value": value}


def test_enterprises_are_never_masked(api: Api) -> None:
    public = api.get("/v1/entities/Enterprise/91110000600037341L", role="public").json()
    admin = api.get("/v1/entities/Enterprise/91110000600037341L", role="admin").json()
    assert public == admin


def test_problem_documents_are_masked_too(api: Api) -> None:
    unknown = complete_id_no("11010119900307002")
    response = api.get(f"/v1/entities/Person/{unknown}", role="public")
    assert response.status_code == 404
    assert unknown not in response.text
    assert mask_id_no(unknown) in response.json()["detail"]


# -- the pure function ------------------------------------------------------------------------
def test_graph_records_keep_their_type() -> None:
    model = load_model()
    wang = model.make_node("Person", {"id_no": WANG, "name": "王军"})
    jia = model.make_node("Enterprise", {"uscc": "91110000600037341L", "name": "甲运输"})
    edge = model.make_edge("LEGAL_REP_OF", wang.ref, jia.ref, valid_from=date(2016, 1, 1))
    graph = Subgraph(nodes=[wang, jia], edges=[edge])
    masked = mask_document(graph, Clearance.NONE, model)
    assert isinstance(masked, Subgraph)
    assert masked.nodes[0].key == WANG_MASKED
    assert masked.nodes[0].props == {"id_no": WANG_MASKED, "name": "王*"}
    assert masked.nodes[1] == jia
    assert masked.edges[0].src.key == WANG_MASKED  # NodeRef inside an edge
    assert masked.edges[0].dst == jia.ref
    path = GraphPath(nodes=[wang.ref, jia.ref], edges=[edge])
    assert mask_document(path, Clearance.NAMES, model).nodes[0].key == WANG_MASKED
    assert mask_document(graph, Clearance.FULL, model) is graph


def test_documents_of_other_shapes() -> None:
    doc: dict[str, Any] = {
        "subject": {"uid": f"Person:{WANG}", "name": "王军", "role": "法定代表人"},
        "by_uid": {f"Person:{WANG}": 1, "Enterprise:91110000600037341L": 2},
        "evidence": [f"王军 ({WANG}) is legal representative; phone 13800138000"],
        "unresolved": {
            "kind": "Person",
            "key": "unresolved:甲运输|王军",
            "props": {"name": "王军"},
        },
        "count": 3,
        "flag": True,
    }
    masked = mask_document(doc, Clearance.NONE)
    subject = {"uid": f"Person:{WANG_MASKED}", "name": "王*", "role": "法定代表人"}
    assert masked["subject"] == subject
    assert masked["by_uid"] == {f"Person:{WANG_MASKED}": 1, "Enterprise:91110000600037341L": 2}
    # The name is known from the structured subject, so the sentence loses it too.
    assert masked["evidence"] == [f"王* ({WANG_MASKED}) is legal representative; phone 138****8000"]
    assert masked["unresolved"]["key"].startswith("unresolved:")
    assert "王军" not in json.dumps(masked["unresolved"], ensure_ascii=False)
    assert masked["count"] == 3 and masked["flag"] is True
    assert doc["subject"]["name"] == "王军"  # pure: the input is untouched


def test_names_clearance_keeps_names_only() -> None:
    doc = {"kind": "Person", "key": WANG, "props": {"id_no": WANG, "name": "王军"}}
    assert mask_document(doc, Clearance.NAMES)["props"] == {"id_no": WANG_MASKED, "name": "王军"}


def test_free_text_leaves_other_numbers_alone() -> None:
    text = "USCC 91110000600037341L, decision 2024-001, amount 12345678901234567 yuan, 2024-05-01"
    assert mask_text(text, Clearance.NONE) == text
    # An 18-digit number that is not a valid ID number (bad check character) stays.
    assert mask_text("110101199003070012", Clearance.NONE) == "110101199003070012"


def test_declared_enterprise_properties_are_not_scanned() -> None:
    # An all-digit USCC can pass the ID number checksum; structure says it is not personal.
    uscc = "121200004013590816"
    doc = {"kind": "Enterprise", "key": uscc, "props": {"uscc": uscc}}
    assert mask_document(doc, Clearance.NONE) == doc


def test_mask_json_round_trip() -> None:
    body = json.dumps({"entity": {"kind": "Person", "key": WANG}}).encode()
    assert json.loads(mask_json(body, Clearance.NONE)) == {
        "entity": {"kind": "Person", "key": WANG_MASKED}
    }
    assert mask_json(body, Clearance.FULL) is body


@given(
    body=st.from_regex(r"\A[1-6][0-9]{5}", fullmatch=True),
    born=st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_any_valid_id_number_in_text_is_masked(body: str, born: date, seq: int) -> None:
    id_no = complete_id_no(f"{body}{born:%Y%m%d}{seq:03d}")
    masked = mask_text(f"证件号码：{id_no}。", Clearance.NONE)
    assert id_no not in masked
    assert masked == f"证件号码：{id_no[:6]}********{id_no[-4:]}。"


def test_evidence_sentences_lose_the_names_of_the_persons_they_name() -> None:
    # The shape of the investigation answers (queries/related.py): entities with uid, kind,
    # key and name, and evidence steps whose text names them.
    doc = {
        "entities": [
            {"uid": f"Person:{WANG}", "kind": "Person", "key": WANG, "name": "王军"},
            {
                "uid": "Contact:address|吉林省长春市朝阳区人民大街1号",
                "kind": "Contact",
                "key": "address|吉林省长春市朝阳区人民大街1号",
                "name": "address 吉林省长春市朝阳区人民大街1号",
            },
            {"uid": "Enterprise:91110000600037341L", "kind": "Enterprise", "name": "甲运输"},
        ],
        "via": [
            {
                "src": f"Person:{WANG}",
                "dst": "Enterprise:91110000600037341L",
                "text": "王军 has been legal representative of 甲运输 since 2016-01-01",
            }
        ],
    }
    public = json.dumps(mask_document(doc, Clearance.NONE), ensure_ascii=False)
    assert "王军" not in public and WANG not in public
    assert "人民大街" not in public and "吉林省长春市****" in public
    assert "王* has been legal representative of 甲运输" in public
    reviewer = mask_document(doc, Clearance.NAMES)
    assert reviewer["via"][0]["text"].startswith("王军 has been")  # names cleared
    assert reviewer["entities"][0]["key"] == WANG_MASKED
    assert "人民大街" not in json.dumps(reviewer, ensure_ascii=False)


def test_relationship_ids_do_not_leak_a_masked_id_number() -> None:
    """An eid hashes its endpoints' uids: shown beside a masked ID it would give the ID away."""
    from api.masking import MASKED_EID, Clearance, mask_document
    from graph.model import NodeRef, load_model

    model = load_model()
    person = NodeRef("Person", "110101199003070011")
    edge = model.make_edge("LEGAL_REP_OF", person, NodeRef("Enterprise", "91110000600037341L"))
    step = {"eid": edge.eid, "type": edge.type, "src": list(person), "dst": list(edge.dst)}
    for clearance in (Clearance.NAMES, Clearance.NONE):
        masked = mask_document({"path": [step]}, clearance, model)
        assert masked["path"][0]["eid"] == MASKED_EID
        assert edge.eid not in str(masked) and "19900307" not in str(masked)
    assert mask_document({"path": [step]}, Clearance.FULL, model)["path"][0]["eid"] == edge.eid


@pytest.mark.parametrize("clearance", [Clearance.NONE, Clearance.NAMES])
def test_mask_json_finds_personal_values_elsewhere_like_mask_document(
    clearance: Clearance,
) -> None:
    """mask_json skips its second pass when no personal value occurs in the serialised
    document; a value that JSON escapes (a quote) must still be found and masked."""
    quoted = 'O"Neil\\Li'
    doc = {
        "entities": [
            {"uid": f"Person:{WANG}", "kind": "Person", "key": WANG, "name": quoted},
            {"uid": "Enterprise:91110000600037341L", "kind": "Enterprise", "name": "甲运输"},
        ],
        "via": [{"text": f"{quoted} signed for 甲运输 (ID {WANG[:6]}-{WANG})"}],
        "notes": {quoted: "a key that is a name"},
    }
    body = json.dumps(doc, ensure_ascii=False).encode()
    assert json.loads(mask_json(body, clearance)) == mask_document(doc, clearance)
    masked = mask_json(body, clearance).decode()
    assert WANG not in masked
    if clearance is Clearance.NONE:
        assert "Neil" not in masked
