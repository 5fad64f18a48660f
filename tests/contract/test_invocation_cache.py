"""The InvocationCache contract: outputs by key, at most `node_cache_size` entries, least
recently used out first; size 0 turns it off."""

from __future__ import annotations

import pytest
from invoke_core import BaseInvocationOutput

SERVICE = "invocation_cache"


class ContractCacheOutputs(BaseInvocationOutput):
    value: int
    label: str = ""


def out(value: int) -> ContractCacheOutputs:
    return ContractCacheOutputs(value=value, label=f"#{value}")


def values(cache, keys: str) -> list[int | None]:
    return [None if (found := cache.get(key)) is None else found.value for key in keys]


def test_a_saved_output_comes_back_and_others_miss(service):
    assert service.enabled
    assert service.get("a") is None
    service.save("a", out(1))
    found = service.get("a")
    assert isinstance(found, ContractCacheOutputs) and found == out(1)
    assert service.get("b") is None


def test_at_most_node_cache_size_entries_oldest_out_first(open_service):
    cache = open_service(node_cache_size=3)
    for index, key in enumerate("abc"):
        cache.save(key, out(index))
    cache.save("d", out(3))  # a, the oldest, goes
    assert values(cache, "abcd") == [None, 1, 2, 3]


def test_a_get_makes_an_entry_recent(open_service):
    cache = open_service(node_cache_size=2)
    cache.save("a", out(1))
    cache.save("b", out(2))
    assert cache.get("a").value == 1  # a is now the most recent
    cache.save("c", out(3))  # so b goes
    assert values(cache, "abc") == [1, None, 3]


def test_saving_a_key_again_replaces_it_and_makes_it_recent(open_service):
    cache = open_service(node_cache_size=2)
    cache.save("a", out(1))
    cache.save("b", out(2))
    cache.save("a", out(10))
    cache.save("c", out(3))
    assert values(cache, "abc") == [10, None, 3]


def test_size_zero_is_off(open_service):
    cache = open_service(node_cache_size=0)
    assert cache.enabled is False
    cache.save("a", out(1))
    assert cache.get("a") is None


def test_clear_forgets_everything(service):
    for key in "xyz":
        service.save(key, out(ord(key)))
    service.clear()
    assert values(service, "xyz") == [None, None, None]
    service.save("x", out(5))
    assert service.get("x").value == 5


@pytest.mark.needs("persistent")
def test_entries_survive_a_reopen(service, open_service):
    service.save("a", out(42))
    open_service.close(service)
    assert open_service().get("a") == out(42)
