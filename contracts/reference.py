"""The building blocks of the reference data the services keep as versioned files (the catalog, the routing
rules): codes, names, an immutable model, and the check for codes given twice."""

from collections import Counter
from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Code = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
"""A kebab-case code: a section, sub-service, attachment kind, department or rule."""
Name = Annotated[str, Field(min_length=1)]


class Frozen(BaseModel):
    """Reference data: immutable, and nothing in a file that the model does not know."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def duplicates(codes: Iterable[str]) -> list[str]:
    """The codes that occur more than once, sorted."""
    return sorted(code for code, count in Counter(codes).items() if count > 1)
