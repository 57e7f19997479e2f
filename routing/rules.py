"""Routing rules: which department a request goes to, loaded from versioned data in `rules/`.

A rule names a section and optionally a sub-service, nationalities and regions; it matches a request when its
section equals the request's and every criterion it names holds. The most specific matching rule (most criteria
named) wins, ties going to the earlier rule in the file. A rule naming several departments sends the request
to the one with the fewest open cases, ties going to the smallest department code. No matching rule: the
fallback department, and the decision is flagged for a human to look at.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Annotated, Self

from pydantic import Field, model_validator

from contracts.reference import Code, Frozen, Name, duplicates
from contracts.vocabulary import NATIONALITY_PATTERN, Region

Nationality = Annotated[str, Field(pattern=NATIONALITY_PATTERN)]


class Department(Frozen):
    code: Code
    name_en: Name
    name_ar: Name


class Rule(Frozen):
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


def _least_loaded(candidates: tuple[str, ...], loads: Mapping[str, int]) -> tuple[str, dict[str, int]]:
    seen = {code: loads.get(code, 0) for code in candidates}
    return min(candidates, key=lambda code: (seen[code], code)), seen


class RuleSet(Frozen):
    version: str = Field(min_length=1)
    fallback: Code
    departments: tuple[Department, ...]
    rules: tuple[Rule, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        known = {department.code for department in self.departments}
        problems = [f"duplicate department {c!r}" for c in duplicates(d.code for d in self.departments)]
        problems += [f"duplicate rule id {c!r}" for c in duplicates(r.id for r in self.rules)]
        problems += [f"unknown fallback department {self.fallback!r}"] if self.fallback not in known else []
        for rule in self.rules:
            problems += [f"rule {rule.id!r}: unknown department {c!r}" for c in rule.departments if c not in known]
            problems += [f"rule {rule.id!r}: duplicate department {c!r}" for c in duplicates(rule.departments)]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def department(self, code: str) -> Department | None:
        return next((department for department in self.departments if department.code == code), None)

    def names_of(self, code: str) -> dict[str, str] | None:
        """The department's name by language, for what a beneficiary is shown."""
        department = self.department(code)
        return None if department is None else {"ar": department.name_ar, "en": department.name_en}

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


RULES_VERSION = "2026.1"
"""The rule set routing decides by (`rules/<version>.json`), read when routing is built."""


def load(version: str = RULES_VERSION) -> RuleSet:
    data = files("routing").joinpath("rules", f"{version}.json").read_text(encoding="utf-8")
    return RuleSet.model_validate_json(data)
