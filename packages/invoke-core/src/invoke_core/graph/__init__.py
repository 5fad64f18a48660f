"""The graph engine's graph: nodes, typed links and the rules they follow.

| module | job |
|---|---|
| `edges` | `Edge`, `EdgeConnection` |
| `parsing` | a node from its JSON, with errors naming node and field |
| `graph` | `Graph`: indexes, edits, the read API sessions use, JSON |
| `links` | link rules; the types iterate and collect pass on |
| `loading` | bulk loading a whole graph with one sort |
| `ordering` | the incrementally kept topological order behind cycle checks |
| `schema` | the JSON schema of graph JSON |
"""

from invoke_core.graph.edges import Edge, EdgeConnection
from invoke_core.graph.graph import Graph
from invoke_core.graph.parsing import node_validation_error, parse_node, split_graph_json
from invoke_core.graph.schema import GRAPH_JSON_SCHEMA

__all__ = [
    "GRAPH_JSON_SCHEMA",
    "Edge",
    "EdgeConnection",
    "Graph",
    "node_validation_error",
    "parse_node",
    "split_graph_json",
]
