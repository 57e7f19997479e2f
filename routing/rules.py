"""Routing rules: which department a request goes to, loaded from versioned data in `rules/`.

A rule names a section and optionally a sub-service, nationalities and regions; it matches a request when its
section equals the request's and every criterion it names holds. The most specific matching rule (most criteria
named) wins, ties going to the earlier rule in the file. A rule naming several departments sends the request
to the one with the fewest open cases, ties going to the smallest department code. No matching rule: the
fallback department, and the decision is flagged for a human to look at.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Code = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Name = Annotated[str, Field(min_length=1)]
Nationality = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Region = Literal[
    "riyadh", "makkah", "madinah", "eastern", "qassim", "asir", "tabuk",
    "hail", "northern-borders", "jazan", "najran", "al-baha", "al-jawf",
]  # fmt: skip


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Department(_Frozen):
    code: Code
    name_en: Name
    name_ar: Name


class Rule(_Frozen):
    id: Code
    section: Code
    sub_service: Code | None = None
    nationality: tuple[Nationality, ...] = ()
    region: tuple[Region, ...] = ()
    departments: tuple[Code, ...] = Field(min_length=1)

    @property
    def specificity(self) -> int:
        """How many of sub_service, nationality and region the rule names."""
        return (self.sub_service is not None) + bool(self.nationality) + bool(self.region)

    def matches(self, section: str, sub_service: str | None, nationality: str | None, region: str | None) -> bool:
        """Whether the section equals and every criterion the rule names holds."""
        return (
            self.section == section
            and (self.sub_service is None or self.sub_service == sub_service)
            and (not self.nationality or nationality in self.nationality)
            and (not self.region or region in self.region)
        )


@dataclass(frozen=True)
class Decision:
    """The department chosen, the rule that chose it, its candidates and the open-case counts seen for them."""

    department: str
    rule: str
    candidates: tuple[str, ...]
    loads: dict[str, int]
    flagged: bool


def _duplicates(codes: Iterable[str]) -> list[str]:
    return sorted(code for code, count in Counter(codes).items() if count > 1)


def _least_loaded(candidates: tuple[str, ...], loads: Mapping[str, int]) -> tuple[str, dict[str, int]]:
    seen = {code: loads.get(code, 0) for code in candidates}
    return min(candidates, key=lambda code: (seen[code], code)), seen


class RuleSet(_Frozen):
    version: str = Field(min_length=1)
    fallback: Code
    departments: tuple[Department, ...]
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        known = {department.code for department in self.departments}
        problems = [f"duplicate department {c!r}" for c in _duplicates(d.code for d in self.departments)]
        problems += [f"duplicate rule id {c!r}" for c in _duplicates(r.id for r in self.rules)]
        problems += [f"unknown fallback department {self.fallback!r}"] if self.fallback not in known else []
        for rule in self.rules:
            problems += [f"rule {rule.id!r}: unknown department {c!r}" for c in rule.departments if c not in known]
            problems += [f"rule {rule.id!r}: duplicate department {c!r}" for c in _duplicates(rule.departments)]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def department(self, code: str) -> Department | None:
        return next((department for department in self.departments if department.code == code), None)

    def match(self, section: str, sub_service: str | None, nationality: str | None, region: str | None) -> Rule | None:
        """The most specific rule matching the request, the earlier one on a tie; None if none matches."""
        best: Rule | None = None
        for rule in self.rules:
            if rule.matches(section, sub_service, nationality, region) and (
                best is None or rule.specificity > best.specificity
            ):
                best = rule
        return best

    def decide(
        self,
        section: str,
        sub_service: str | None,
        nationality: str | None,
        region: str | None,
        loads: Mapping[str, int],
    ) -> Decision:
        """The department for the request given the open-case counts `loads` (missing counts as 0)."""
        rule = self.match(section, sub_service, nationality, region)
        if rule is None:
            department, seen = _least_loaded((self.fallback,), loads)
            return Decision(department, "fallback", (self.fallback,), seen, flagged=True)
        department, seen = _least_loaded(rule.departments, loads)
        return Decision(department, rule.id, rule.departments, seen, flagged=False)


def load(version: str) -> RuleSet:
    data = files("routing").joinpath("rules", f"{version}.json").read_text(encoding="utf-8")
    return RuleSet.model_validate_json(data)


RULES_VERSION = "2026.1"
RULES = load(RULES_VERSION)
