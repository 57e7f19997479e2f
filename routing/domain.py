"""Routing's decisions, free of I/O: which department is competent for a request.

The routing issue replaces this table with versioned rules (sub-service, nationality, region)
and adds the SLA clock.
"""

from dataclasses import dataclass

RULES_VERSION = "2026.1"
FALLBACK_DESK = "general-desk"

DEPARTMENTS: dict[str, str] = {
    "saudi-passport": "passports",
    "passport-renewal": "passports",
    "iqama": "residency",
    "dependents": "residency",
    "exit-reentry": "visas",
    "visit-visa": "visas",
    "visit-extension": "visas",
    "transfer-of-services": "sponsorship",
    "profession-change": "sponsorship",
    "reports": "reports",
}


@dataclass(frozen=True)
class Decision:
    department: str
    rule: str


def route(section: str) -> Decision:
    department = DEPARTMENTS.get(section)
    if department is None:
        return Decision(department=FALLBACK_DESK, rule="fallback")
    return Decision(department=department, rule=f"section:{section}")
