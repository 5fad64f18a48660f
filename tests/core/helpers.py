"""Small builders shared by the core, contract and local-services tests."""

from invoke_core import Graph, Session


def edge(source: str, source_field: str, destination: str, destination_field: str) -> dict:
    return {
        "source": {"node_id": source, "field": source_field},
        "destination": {"node_id": destination, "field": destination_field},
    }


def one_node(value: int = 0) -> Session:
    return Session({"nodes": {"n": {"type": "integer", "value": value}}})


def claim_all(queue) -> list:
    """Every item a queue hands out, in the order it hands them out."""
    claimed = []
    while (item := queue.claim_next()) is not None:
        claimed.append(item)
    return claimed


def batch_graph() -> Graph:
    return Graph.model_validate(
        {
            "nodes": {
                "a": {"type": "add", "a": 1, "b": 2},
                "m": {"type": "mul", "a": 0, "b": 1},
                "r": {"type": "range", "start": 0, "stop": 3},
            },
            "edges": [edge("a", "value", "m", "a")],
        }
    )


def datum(node: str, field: str, items: list) -> dict:
    return {"node_path": node, "field_name": field, "items": items}
