"""Service interfaces (abstract base classes) and their in-memory implementations.

Nodes reach services only through `InvocationContext.services`; which implementation backs
each service is chosen by the config among those plugins register (`register_services`).
"""

SERVICE_KINDS = (
    "session_storage",
    "session_queue",
    "image_storage",
    "object_storage",
    "invocation_cache",
    "events",
)
