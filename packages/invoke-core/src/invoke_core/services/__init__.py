"""Service interfaces (abstract base classes) and their in-memory implementations.

Nodes reach services only through their narrow `InvocationContext`; which implementation backs
each service is chosen by the config among those plugins register (`register_services`).
"""

from invoke_core.config import SERVICE_KINDS

__all__ = ["SERVICE_KINDS"]
