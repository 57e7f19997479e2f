"""The sections and sub-services Tawasul accepts requests under, loaded from versioned data in `catalogs/`.

The catalog is read when intake is built (`load(settings.catalog_version)`), never at import.
"""

from importlib.resources import files
from typing import Self

from pydantic import Field, model_validator

from contracts.reference import Code, Frozen, Name, duplicates
from contracts.vocabulary import Subject


class AttachmentKind(Frozen):
    code: Code
    name_en: Name
    name_ar: Name


class SubService(Frozen):
    code: Code
    name_en: Name
    name_ar: Name
    required_attachments: tuple[Code, ...]
    optional_attachments: tuple[Code, ...]
    subjects: tuple[Subject, ...] = Field(min_length=1)


class Section(Frozen):
    code: Code
    name_en: Name
    name_ar: Name
    sub_services: tuple[SubService, ...] = Field(min_length=1)

    @property
    def sub_service_codes(self) -> tuple[str, ...]:
        return tuple(sub.code for sub in self.sub_services)


def _sub_service_problems(where: str, sub: SubService, kinds: set[str]) -> list[str]:
    required, optional = sub.required_attachments, sub.optional_attachments
    return [
        *(f"{where}: unknown attachment kind {k!r}" for k in (*required, *optional) if k not in kinds),
        *(f"{where}: {k!r} both required and optional" for k in sorted(set(required) & set(optional))),
        *(f"{where}: duplicate attachment kind {k!r}" for k in duplicates(required) + duplicates(optional)),
        *(f"{where}: duplicate subject {s!r}" for s in duplicates(sub.subjects)),
    ]


class Catalog(Frozen):
    version: str = Field(min_length=1)
    attachment_kinds: tuple[AttachmentKind, ...]
    sections: tuple[Section, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        kinds = {kind.code for kind in self.attachment_kinds}
        problems = [f"duplicate attachment kind {c!r}" for c in duplicates(k.code for k in self.attachment_kinds)]
        problems += [f"duplicate section {c!r}" for c in duplicates(s.code for s in self.sections)]
        for section in self.sections:
            problems += [f"duplicate sub-service {section.code}/{c}" for c in duplicates(section.sub_service_codes)]
            for sub in section.sub_services:
                problems += _sub_service_problems(f"{section.code}/{sub.code}", sub, kinds)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def section(self, code: str) -> Section | None:
        return next((section for section in self.sections if section.code == code), None)

    def sub_service(self, section: str, code: str) -> SubService | None:
        found = self.section(section)
        return next((sub for sub in found.sub_services if sub.code == code), None) if found else None

    def attachment_kind(self, code: str) -> AttachmentKind | None:
        return next((kind for kind in self.attachment_kinds if kind.code == code), None)


    def sub_service_codes(self) -> dict[str, frozenset[str]]:
        """Each section's code with the codes of its sub-services."""
        return {section.code: frozenset(section.sub_service_codes) for section in self.sections}


def load(version: str) -> Catalog:
    data = files("intake").joinpath("catalogs", f"{version}.json").read_text(encoding="utf-8")
    return Catalog.model_validate_json(data)
