"""The queue's items newest first, as `sessions list` and `images list` show theirs, whichever
order the queue service lists them in.

The queue interface used to list items oldest first and now lists them newest first; a queue
service that still follows the old order (a plugin's) would otherwise show the oldest page. The
first two items tell which order the service uses; for oldest first the page is cut from the end.
"""

from __future__ import annotations

from typing import Any


def _newest_first(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda item: item.item_id, reverse=True)


def queue_page_newest_first(queue: Any, *, status: str | None, page: int, per_page: int) -> tuple[list[Any], int]:
    """Page `page` (from 0) of the items with `status`, newest first, and how many there are."""
    probe = queue.list(status=status, page=0, per_page=2)
    if len(probe.items) < 2 or probe.items[0].item_id > probe.items[1].item_id:
        found = queue.list(status=status, page=page, per_page=per_page)
        return _newest_first(found.items), found.total
    total = probe.total
    end = total - page * per_page  # oldest first: the page is positions [start, end)
    start = max(end - per_page, 0)
    if end <= 0:
        return [], total
    first, last = start // per_page, (end - 1) // per_page
    items: list[Any] = []
    for number in range(first, last + 1):
        items.extend(queue.list(status=status, page=number, per_page=per_page).items)
    offset = first * per_page
    return _newest_first(items[start - offset : end - offset]), total
