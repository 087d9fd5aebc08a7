"""Load a catalog directory and check it against itself and the graph vocabulary.

A catalog is a directory of five YAML files: ``catalog.yaml`` (name, version, effective
date, action categories, severity classes, repair rules, deadlines) and one file per list
(``honour_scope.yaml``, ``dishonesty_scope.yaml``, ``reward_measures.yaml``,
``sanction_measures.yaml``), each ``{list: <kind>, entries: [...]}``.  The default
transport catalog ships in ``graph/catalog/transport/``; users point
``CREDITLINK_CATALOG`` (or ``--catalog``) at their own directory.

>>> catalog = load_catalog()
>>> catalog.require_behaviour("T-OVERLOAD").name
'严重违法超限超载'
>>> catalog.list_of("S-BID-BAN").chinese
'失信惩戒政策措施清单'
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.catalog.model import (
    NAMED_IN_DECISION,
    Behaviour,
    CatalogHeader,
    ListKind,
    Measure,
    PropagationRule,
)
from graph.catalog.periods import approx_days
from graph.exc import InvalidModel, NotFound
from graph.model import Direction, GraphModel, load_model
from graph.settings import Settings

__all__ = ["DEFAULT_CATALOG_DIR", "Catalog", "catalog_dir", "load_catalog"]

DEFAULT_CATALOG_DIR = Path(__file__).with_name("transport")
LIST_FILES = {kind: f"{kind.value}.yaml" for kind in ListKind}
_SCOPES = (ListKind.HONOUR_SCOPE, ListKind.DISHONESTY_SCOPE)
#: Which measure list each scope list draws its measures from.
MEASURE_LIST_OF = {
    ListKind.HONOUR_SCOPE: ListKind.REWARD_MEASURES,
    ListKind.DISHONESTY_SCOPE: ListKind.SANCTION_MEASURES,
}


class _BehaviourFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ListKind = Field(alias="list")
    entries: list[Behaviour]


class _MeasureFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ListKind = Field(alias="list")
    entries: list[Measure]


class Catalog:
    """The four lists, checked; look-ups come in pairs (``get_*`` None, ``require_*`` raises).

    >>> catalog = load_catalog()
    >>> overload = catalog.require_behaviour("T-OVERLOAD")
    >>> [m.code for m in catalog.direct_measures(overload, "Person")]
    ['S-OVERLOAD-DRIVER']
    >>> enterprise = catalog.require_measure("S-OVERLOAD-ENTERPRISE")
    >>> [(r.relationship, r.role) for r in catalog.rules_from(enterprise, "Enterprise")]
    [('LEGAL_REP_OF', '法定代表人'), ('PRINCIPAL_OF', '主要负责人')]
    >>> [e.code for e in catalog.entries(ListKind.HONOUR_SCOPE)]
    ['H-TRUST-MODEL']
    """

    def __init__(
        self,
        header: CatalogHeader,
        lists: dict[ListKind, list[Behaviour] | list[Measure]],
        *,
        path: Path | None = None,
        fingerprint: str = "",
        model: GraphModel | None = None,
    ) -> None:
        self.header = header
        self.path = path
        self.fingerprint = fingerprint
        self.behaviours: dict[str, Behaviour] = {}
        self.measures: dict[str, Measure] = {}
        self._list_of: dict[str, ListKind] = {}
        for kind, entries in lists.items():
            for entry in entries:
                if entry.code in self._list_of:
                    raise InvalidModel(f"catalog code {entry.code} appears twice")
                self._list_of[entry.code] = kind
                if isinstance(entry, Behaviour):
                    self.behaviours[entry.code] = entry
                else:
                    self.measures[entry.code] = entry
        self._check(model or load_model())

    # -- look-ups -------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """The catalog's version string."""
        return self.header.version

    def list_of(self, code: str) -> ListKind:
        """Which list the entry ``code`` belongs to."""
        if code not in self._list_of:
            raise NotFound(f"{code!r} is not in catalog {self.header.version}")
        return self._list_of[code]

    def entries(self, kind: ListKind) -> list[Behaviour | Measure]:
        """The entries of one list, in file order."""
        pool: dict[str, Behaviour] | dict[str, Measure] = (
            self.behaviours if kind in _SCOPES else self.measures
        )
        return [e for code, e in pool.items() if self._list_of[code] == kind]

    def get_behaviour(self, code: str) -> Behaviour | None:
        """The behaviour (scope-list entry) ``code``, or None."""
        return self.behaviours.get(code)

    def require_behaviour(self, code: str) -> Behaviour:
        """The behaviour ``code``; raises :class:`NotFound` when outside the catalog."""
        found = self.behaviours.get(code)
        if found is None:
            raise NotFound(f"behaviour {code!r} is not in catalog {self.header.version}")
        return found

    def get_measure(self, code: str) -> Measure | None:
        """The measure ``code``, or None."""
        return self.measures.get(code)

    def require_measure(self, code: str) -> Measure:
        """The measure ``code``; raises :class:`NotFound`."""
        found = self.measures.get(code)
        if found is None:
            raise NotFound(f"measure {code!r} is not in catalog {self.header.version}")
        return found

    def is_reward(self, behaviour: Behaviour) -> bool:
        """Whether the behaviour is on the honour scope list (red list, incentives)."""
        return self._list_of[behaviour.code] == ListKind.HONOUR_SCOPE

    def direct_measures(self, behaviour: Behaviour, kind: str) -> list[Measure]:
        """The behaviour's measures that apply to a subject of ``kind`` directly."""
        found = (self.measures[c] for c in behaviour.measures)
        return [m for m in found if kind in m.subject_kinds]

    def rules_from(self, measure: Measure, holder_kind: str) -> list[PropagationRule]:
        """The measure's propagation rules that start at a holder of ``holder_kind``."""
        return [r for r in measure.extends_to if r.from_kind in (None, holder_kind)]

    def target_measure(self, measure: Measure, rule: PropagationRule) -> Measure:
        """The measure a subject reached by ``rule`` receives."""
        return self.measures[rule.measure or measure.code]

    # -- checks ---------------------------------------------------------------------------
    def _check(self, model: GraphModel) -> None:
        header = self.header
        for code, behaviour in self.behaviours.items():
            wanted = MEASURE_LIST_OF[self._list_of[code]]
            self._check_kinds(code, behaviour.subject_kinds, model)
            for m in behaviour.measures:
                if self._list_of.get(m) != wanted:
                    raise InvalidModel(f"{code}: measure {m!r} is not on the {wanted.value} list")
            for kind in behaviour.subject_kinds:
                if not self.direct_measures(behaviour, kind):
                    raise InvalidModel(f"{code}: no measure applies to a {kind} subject")
            if self._list_of[code] == ListKind.DISHONESTY_SCOPE and behaviour.severity is None:
                raise InvalidModel(f"{code}: a dishonesty behaviour needs a severity class")
            self._check_term(code, behaviour)
        for code, measure in self.measures.items():
            self._check_kinds(code, measure.subject_kinds, model)
            reward = self._list_of[code] == ListKind.REWARD_MEASURES
            if reward and measure.restricts:
                raise InvalidModel(f"{code}: a reward measure restricts nothing")
            if not reward and measure.grants:
                raise InvalidModel(f"{code}: a sanction measure grants nothing")
            for name, known in (("restricts", header.actions), ("grants", header.incentives)):
                unknown = set(getattr(measure, name)) - set(known)
                if unknown:
                    raise InvalidModel(f"{code}: {name} unknown categories {sorted(unknown)}")
            for rule in measure.extends_to:
                self._check_rule(measure, rule, model)

    def _check_term(self, code: str, behaviour: Behaviour) -> None:
        if behaviour.severity is None or behaviour.term is None or behaviour.term.default is None:
            return
        klass = self.header.severity_classes[behaviour.severity]
        low = approx_days(klass.min_publication) if klass.min_publication else 0
        high = approx_days(klass.max_publication)
        for period in (behaviour.term.min, behaviour.term.default, behaviour.term.max):
            if period is not None and not low <= approx_days(period) <= high:
                raise InvalidModel(
                    f"{code}: term {period} is outside the {behaviour.severity} class "
                    f"({klass.min_publication or 'P0D'}..{klass.max_publication})"
                )

    @staticmethod
    def _check_kinds(code: str, kinds: list[str], model: GraphModel) -> None:
        unknown = [k for k in kinds if model.get_kind(k) is None]
        if unknown:
            raise InvalidModel(f"{code}: unknown subject kinds {unknown}")

    def _check_rule(self, measure: Measure, rule: PropagationRule, model: GraphModel) -> None:
        where = f"{measure.code}.extends_to.{rule.id}"
        target = self.measures.get(rule.measure or measure.code)
        if target is None or self._list_of[target.code] != self._list_of[measure.code]:
            raise InvalidModel(f"{where}: measure {rule.measure!r} is not on the same list")
        if rule.to_kind not in target.subject_kinds:
            raise InvalidModel(f"{where}: {target.code} does not apply to {rule.to_kind}")
        holders = [rule.from_kind] if rule.from_kind else measure.subject_kinds
        if rule.from_kind and rule.from_kind not in measure.subject_kinds:
            raise InvalidModel(f"{where}: {measure.code} is never held by a {rule.from_kind}")
        if rule.relationship == NAMED_IN_DECISION:
            return
        edge = model.get_edge_kind(rule.relationship)
        if edge is None:
            raise InvalidModel(f"{where}: unknown relationship {rule.relationship!r}")
        if rule.ratio_above is not None and "ratio" not in edge.properties:
            raise InvalidModel(f"{where}: ratio_above needs a relationship with a ratio")
        ends = {
            Direction.OUT: [(edge.sources, edge.targets)],
            Direction.IN: [(edge.targets, edge.sources)],
            Direction.BOTH: [(edge.sources, edge.targets), (edge.targets, edge.sources)],
        }[rule.direction]
        if not any(rule.to_kind in far and any(h in near for h in holders) for near, far in ends):
            raise InvalidModel(
                f"{where}: {rule.relationship} ({rule.direction.value}) cannot join "
                f"{holders} to {rule.to_kind}"
            )


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise InvalidModel(f"{path}: {err}") from err


@cache
def catalog_dir() -> Path:
    """The catalog directory in use: ``Settings.catalog`` (``$CREDITLINK_CATALOG``) or the
    shipped transport one.  Read once per process: building the settings costs ~1 ms and
    queries ask for the catalog on every call.

    >>> catalog_dir().is_dir()
    True
    """
    return Settings().catalog or DEFAULT_CATALOG_DIR


@cache
def _load(path: Path) -> Catalog:
    digest = hashlib.blake2b(digest_size=8)
    header_file = path / "catalog.yaml"
    files = [header_file, *(path / name for name in LIST_FILES.values())]
    for file in files:
        if not file.is_file():
            raise InvalidModel(f"catalog {path}: missing {file.name}")
        digest.update(file.read_bytes())
    try:
        header = CatalogHeader.model_validate(_read_yaml(header_file))
        lists: dict[ListKind, list[Behaviour] | list[Measure]] = {}
        for kind, name in LIST_FILES.items():
            raw = _read_yaml(path / name)
            parsed: _BehaviourFile | _MeasureFile = (
                _BehaviourFile.model_validate(raw)
                if kind in _SCOPES
                else _MeasureFile.model_validate(raw)
            )
            if parsed.kind != kind:
                raise InvalidModel(f"{path / name}: declares list {parsed.kind.value}")
            lists[kind] = parsed.entries
    except ValidationError as err:
        raise InvalidModel(f"catalog {path}: {err}") from err
    return Catalog(header, lists, path=path, fingerprint=digest.hexdigest())


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and check a catalog directory (cached per path); the configured one by default."""
    return _load((path or catalog_dir()).resolve())
