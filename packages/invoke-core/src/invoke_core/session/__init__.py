"""Sessions: a graph plus the record of running it.

| module | job |
|---|---|
| `session` | `Session`: the record (results, errors, history) and its public API |
| `scheduler` | what is ready, pending and complete; iterate/collect expansion |
| `inputs` | preparing an execution: a copy of its node with linked values filled in |
| `json` | the JSON round trip |
| `node_error` | `NodeError` and execution ids |
"""

from invoke_core.session.json import SESSION_JSON_SCHEMA
from invoke_core.session.node_error import NodeError, execution_id, source_of
from invoke_core.session.session import Session

__all__ = ["SESSION_JSON_SCHEMA", "NodeError", "Session", "execution_id", "source_of"]
