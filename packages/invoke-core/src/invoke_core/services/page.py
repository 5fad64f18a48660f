"""One page of a listing."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int = Field(description="The page number, from 0")
    per_page: int
    total: int = Field(description="How many items there are across all pages")

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page if self.per_page else 0


def check_paging(page: int, per_page: int) -> None:
    if page < 0:
        raise ValueError(f"page must be 0 or more, got {page}")
    if not 1 <= per_page <= 10_000:
        raise ValueError(f"per_page must be between 1 and 10000, got {per_page}")
