import pytest
from invoke_core import InvocationServices, InvokeConfig, Invoker


@pytest.fixture
def invoker(tmp_path):
    """An invoker on the in-memory services, rooted in a temporary folder."""
    with Invoker(InvocationServices(InvokeConfig(root=tmp_path))) as invoker:
        yield invoker
