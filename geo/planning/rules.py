"""Editable planning rules for consolidation scenarios, each with its policy source.

Defaults follow national policy where it gives a number and are marked as
local defaults where it does not:

* Grades 1–3 in principle do not board and go to school nearby, with a
  one-way trip of about half an hour at most (国办发〔2018〕27号).
* Grades 4–6 mainly go to school daily and may board where needed (国办发〔2018〕27号);
  junior pupils go daily or board.
* Build before closing and keep small rural schools (under 100 pupils) where
  needed (先建后撤、应留必留, 国办发〔2018〕27号); no closure against a majority of
  parents (教育部办公厅《关于农村义务教育学校布局调整有关问题的通报》, October 2016).
* School size: at most 2,000 pupils, nine-year schools 2,500; class size at
  most 45 (primary) and 50 (junior) (教督〔2017〕6号); 大班额 from 56 and
  超大班额 from 66 pupils per class (国发〔2016〕40号); all editable.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Final, Mapping

from layers.errors import JunhengError
from layers.schema import BANDS, LEVELS

__all__ = ["DEFAULT_RULES", "SOURCES", "Rules", "RulesError"]

SOURCES: Final[dict[str, str]] = {
    "walk_minutes": "国办发〔2018〕27号",
    "bus_cap_minutes": "本地默认值，可调整",
    "trip_cap_minutes": "国办发〔2018〕27号（1–3 年级路途时间一般不超过半小时；4–9 年级为本地默认值）",
    "may_board": "国办发〔2018〕27号",
    "school_size_cap": "教督〔2017〕6号（小学、初中不超过2000人，九年一贯制不超过2500人）",
    "class_size_cap": "教督〔2017〕6号（小学每班不超过45人，初中不超过50人）",
    "large_class": "国发〔2016〕40号（大班额56人以上、超大班额66人以上）",
    "super_large_class": "国发〔2016〕40号（大班额56人以上、超大班额66人以上）",
    "seats_hard": "本地默认值，可调整",
    "trip_worse_minutes": "本地默认值，可调整（上下学不便）",
    "small_school_pupils": "国办发〔2018〕27号（乡村小规模学校：不足100人）",
    "build_before_close": "国办发〔2018〕27号（先建后撤）；教育部办公厅《关于农村义务教育学校布局调整有关问题的通报》（2016年10月）",
    "threshold_minutes": "国办发〔2018〕27号",
}


class RulesError(JunhengError, ValueError):
    """Rules that are malformed or out of range."""


@dataclass(frozen=True)
class Rules:
    """Thresholds of the walk / bus / board decision and the 撤并 checks.

    Attributes
    ----------
    walk_minutes : mapping band -> minutes
        A child walks when the walk takes at most this long.
    bus_cap_minutes : mapping band -> minutes
        Longest acceptable school-bus trip; beyond it a band that may board
        boards, and grades 1–3 ride anyway and the trip is reported unsafe.
    may_board : mapping band -> bool
        Whether the band may board (grades 1–3: never).
    school_size_cap : mapping level -> pupils
    class_size_cap : mapping level -> pupils per class
        A nine-year school's primary part is held to ``nine_year`` and its junior
        part to ``junior``.
    trip_cap_minutes : mapping band -> minutes
        Longest whole one-way trip of a day pupil, walk or bus (grades 1–3: 30,
        国办发〔2018〕27号; grades 4–9: local defaults).  Beyond it the trip is a
        ``trip_cap`` violation; a bus trip is the direct drive, a lower bound of
        the real ride with its stops.
    large_class, super_large_class : int
        Pupils per class from which a class is 大班额 (56) and 超大班额 (66), 国发〔2016〕40号.
    seats_hard : bool
        True: no school takes more pupils than its seats (the others stay
        unplaced).  False: a receiving school may take pupils beyond its seats,
        up to ``super_large_class - 1`` per class, rather than leave them
        unplaced, so that the class-size overflow of a closure shows.
    trip_worse_minutes : float
        Grades 4–9: a closure that lengthens a village's mean day trip by more than
        this is flagged (``trip_worse``, 上下学不便; a local default).
    small_school_pupils : int
        A school under this many pupils is a 乡村小规模学校 (国办发〔2018〕27号: 应留必留);
        closing or merging one is flagged.
    threshold_minutes : float
        The access KPI threshold (share of day pupils within it).
    keep_catchments : bool
        Keep each child at its baseline school while that school stays open
        and has room, unless a school opened by the scenario is nearer;
        otherwise assign everyone optimally.
    candidates : int
        Schools considered per village and band (the nearest by travel time);
        the assignment is exact when this is at least the number of schools.
    """

    walk_minutes: Mapping[str, float] = field(default_factory=lambda: {"g1_3": 30.0, "g4_6": 40.0, "g7_9": 50.0})
    bus_cap_minutes: Mapping[str, float] = field(default_factory=lambda: {"g1_3": 45.0, "g4_6": 45.0, "g7_9": 60.0})
    may_board: Mapping[str, bool] = field(default_factory=lambda: {"g1_3": False, "g4_6": True, "g7_9": True})
    school_size_cap: Mapping[str, int] = field(default_factory=lambda: {"primary": 2000, "junior": 2000, "nine_year": 2500})
    class_size_cap: Mapping[str, int] = field(default_factory=lambda: {"primary": 45, "junior": 50, "nine_year": 45})
    trip_cap_minutes: Mapping[str, float] = field(default_factory=lambda: {"g1_3": 30.0, "g4_6": 45.0, "g7_9": 60.0})
    large_class: int = 56
    super_large_class: int = 66
    seats_hard: bool = True
    small_school_pupils: int = 100
    trip_worse_minutes: float = 15.0
    threshold_minutes: float = 30.0
    keep_catchments: bool = True
    candidates: int = 20

    def __post_init__(self) -> None:
        problems: list[tuple[str, str, dict[str, Any]]] = []  # (English text, catalogue key, params)
        for names, allowed, what in (
            (("walk_minutes", "bus_cap_minutes", "trip_cap_minutes", "may_board"), BANDS, "band"),
            (("school_size_cap", "class_size_cap"), LEVELS, "level"),
        ):
            for name in names:
                table = getattr(self, name)
                missing = [k for k in allowed if k not in table]
                if missing:
                    problems.append((f"{name} lacks {what}(s) {', '.join(missing)}", "rules_p_lacks",
                                     {"rule": _rule_word(name), "items": _words(what, missing)}))
                unknown = [str(k) for k in table if k not in allowed]
                if unknown:
                    problems.append((f"{name} has unknown {what}(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}",
                                     "rules_p_unknown", {"rule": _rule_word(name), "items": ", ".join(unknown),
                                                         "allowed": _words(what, allowed)}))
        for name in ("walk_minutes", "bus_cap_minutes", "trip_cap_minutes", "school_size_cap", "class_size_cap"):
            for key, value in getattr(self, name).items():
                if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                    what = "band" if name in ("walk_minutes", "bus_cap_minutes", "trip_cap_minutes") else "level"
                    problems.append((f"{name}[{key!r}] must be a positive number, got {value!r}", "rules_p_positive",
                                     {"rule": _rule_word(name), "item": _words(what, [key]), "value": _shown(value)}))
        if self.may_board.get("g1_3"):
            problems.append(("may_board['g1_3'] must be false: grades 1–3 do not board (国办发〔2018〕27号)", "rules_p_g1_3_board", {}))
        if not (isinstance(self.trip_worse_minutes, (int, float)) and not isinstance(self.trip_worse_minutes, bool)
                and self.trip_worse_minutes > 0):
            problems.append((f"trip_worse_minutes must be a positive number, got {self.trip_worse_minutes!r}", "rules_p_number",
                             {"rule": _rule_word("trip_worse_minutes"), "value": _shown(self.trip_worse_minutes)}))
        if not (isinstance(self.threshold_minutes, (int, float)) and self.threshold_minutes > 0):
            problems.append((f"threshold_minutes must be a positive number, got {self.threshold_minutes!r}", "rules_p_threshold",
                             {"value": _shown(self.threshold_minutes)}))
        for name in ("large_class", "super_large_class", "small_school_pupils"):
            value = getattr(self, name)
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
                problems.append((f"{name} must be a whole number >= 1, got {value!r}", "rules_p_whole",
                                 {"rule": _rule_word(name), "value": _shown(value)}))
        if isinstance(self.large_class, int) and isinstance(self.super_large_class, int) and self.large_class >= self.super_large_class:
            problems.append((f"large_class ({self.large_class}) must be below super_large_class ({self.super_large_class})",
                             "rules_p_class_order", {"large": _shown(self.large_class), "super": _shown(self.super_large_class)}))
        if not isinstance(self.seats_hard, bool):
            problems.append((f"seats_hard must be true or false, got {self.seats_hard!r}", "rules_p_bool",
                             {"rule": _rule_word("seats_hard"), "value": _shown(self.seats_hard)}))
        if not (isinstance(self.candidates, int) and self.candidates >= 1):
            problems.append((f"candidates must be a whole number >= 1, got {self.candidates!r}", "rules_p_candidates",
                             {"value": _shown(self.candidates)}))
        if problems:
            raise RulesError("Invalid rules: " + "; ".join(p[0] for p in problems) + ".", key="rules_e_invalid",
                             params={"problems": [{"key": k, "params": v} for _, k, v in problems]})

    def __hash__(self) -> int:
        return hash(json.dumps(self.as_dict(), sort_keys=True))

    def as_dict(self) -> dict[str, Any]:
        """Return the rules as a plain JSON dict (the rules store, rule files)."""
        return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "rules") -> "Rules":
        """Build rules from a (partial) dict; tables are merged into the defaults.

        Parameters
        ----------
        data : mapping
            Rule names to values, e.g. ``{"walk_minutes": {"g1_3": 25}}``.
        source : str
            Where the data comes from, named in error messages.

        Returns
        -------
        Rules

        Raises
        ------
        RulesError
            Not an object, unknown rule names, malformed or out-of-range values.

        Examples
        --------
        >>> Rules.from_dict({"walk_minutes": {"g1_3": 25}}).walk_minutes["g4_6"]
        40.0
        """
        if not isinstance(data, Mapping):
            raise RulesError(f"{source}: expected a JSON object of rule names, got {type(data).__name__}.",
                             key="rules_e_not_object", params={"source": source, "got": type(data).__name__})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RulesError(f"{source}: unknown rule(s) {', '.join(unknown)}; allowed: {', '.join(sorted(known))}.",
                             key="rules_e_unknown", params={"source": source, "items": ", ".join(unknown),
                                                            "allowed": ", ".join(sorted(known))})
        base = cls()
        merged: dict[str, Any] = {}
        for name in known:
            default = getattr(base, name)
            if name in data and isinstance(default, Mapping):
                if not isinstance(data[name], Mapping):
                    raise RulesError(f"{source}: {name} must be an object like {json.dumps(dict(default))}.",
                                     key="rules_e_table", params={"source": source, "rule": _rule_word(name),
                                                                  "example": json.dumps(dict(default))})
                merged[name] = {**default, **data[name]}
            else:
                merged[name] = data.get(name, default)
        return cls(**merged)

    @classmethod
    def from_file(cls, path: str | Path) -> "Rules":
        """Read rules from the UTF-8 JSON file ``path`` (partial files override the defaults).

        Raises
        ------
        RulesError
            A missing file, invalid JSON or invalid rules.
        """
        p = Path(path)
        if not p.is_file():
            raise RulesError(f"Rules file {p} does not exist; give a JSON file such as {{\"walk_minutes\": {{\"g1_3\": 30}}}}.",
                             key="rules_e_no_file", params={"path": str(p)})
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RulesError(f"Rules file {p} is not valid UTF-8 JSON ({exc}).", key="rules_e_json",
                             params={"path": str(p), "reason": str(exc)}) from exc
        return cls.from_dict(data, source=str(p))


#: The catalogue key of each rule's label (the rules panel's labels), for messages.
_RULE_LABELS: Final = {
    "walk_minutes": "rule_walk", "bus_cap_minutes": "rule_bus", "may_board": "rule_board", "school_size_cap": "rule_size",
    "class_size_cap": "rule_class", "threshold_minutes": "threshold", "keep_catchments": "rule_keep",
    "trip_cap_minutes": "rule_trip", "large_class": "rule_large_class", "super_large_class": "rule_super_large_class",
    "seats_hard": "rule_seats_hard", "small_school_pupils": "rule_small_school_label", "trip_worse_minutes": "rule_trip_worse_label",
}


def _rule_word(name: str) -> dict[str, Any]:
    """A rule's label as a nested message (:func:`layers.i18n.message`), the rule's name for one without a label."""
    return {"key": _RULE_LABELS[name], "params": {}} if name in _RULE_LABELS else {"key": "word_text", "params": {"text": name}}


def _words(what: str, codes: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """Bands or levels (``what``) as nested messages: their names in the reader's language."""
    prefix = "band_" if what == "band" else "level_"
    return [{"key": prefix + str(c), "params": {}} if str(c) in (BANDS if what == "band" else LEVELS)
            else {"key": "word_text", "params": {"text": str(c)}} for c in codes]


def _shown(value: Any) -> dict[str, Any]:
    """A value as a message shows it, as a nested message: ``repr``, or the reader's word for "empty" (a cleared box)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"key": "empty_value", "params": {}}
    return {"key": "word_text", "params": {"text": repr(value)}}


#: The default rules (national policy where it gives a number).
DEFAULT_RULES: Final = Rules()
