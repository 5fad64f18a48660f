"""Intermediate images: hidden from listings unless asked for, pruned in one request."""

from __future__ import annotations

from PIL import Image

TWO_STEPS = {
    "nodes": {"a": {"type": "integer", "value": 1}, "b": {"type": "add", "b": 2}},
    "edges": [{"source": {"node_id": "a", "field": "value"}, "destination": {"node_id": "b", "field": "a"}}],
}


def names(page: dict) -> list[str]:
    return [record["image_name"] for record in page["items"]]


def test_list_hides_intermediates_and_prune_deletes_only_those_of_finished_sessions(server, client):
    services = server.invoker.services
    completed = server.invoker.run(TWO_STEPS)
    stepped = server.invoker.run(TWO_STEPS, invoke_all=False)  # "b" still needs what "a" passed on
    pixel = Image.new("RGB", (3, 2), (1, 2, 3))
    final = services.images.save(pixel, session_id=completed.id).image_name
    finished_intermediate = services.images.save(pixel, session_id=completed.id, is_intermediate=True).image_name
    needed_intermediate = services.images.save(pixel, session_id=stepped.id, is_intermediate=True).image_name

    assert names(client.get("/api/v1/images").json()) == [final]
    listed = client.get("/api/v1/images", params={"include_intermediates": "true"}).json()
    assert names(listed) == [needed_intermediate, finished_intermediate, final] and listed["total"] == 3
    assert [record["is_intermediate"] for record in listed["items"]] == [True, True, False]
    of_completed = client.get("/api/v1/images", params={"session_id": completed.id, "include_intermediates": "1"})
    assert names(of_completed.json()) == [finished_intermediate, final]

    pruned = client.delete("/api/v1/images/intermediates")
    assert pruned.status_code == 200 and pruned.json() == {"count": 1}
    assert client.get(f"/api/v1/images/{finished_intermediate}").status_code == 404
    assert client.get(f"/api/v1/images/{needed_intermediate}/full").status_code == 200
    assert client.delete("/api/v1/images/intermediates").json() == {"count": 0}
    assert client.delete(f"/api/v1/images/{final}").status_code == 204  # one image by name still deletes


def test_openapi_documents_the_prune_route_and_the_listing_parameter(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "200" in paths["/api/v1/images/intermediates"]["delete"]["responses"]
    parameters = {parameter["name"] for parameter in paths["/api/v1/images"]["get"]["parameters"]}
    assert "include_intermediates" in parameters


def test_a_bad_include_intermediates_value_is_a_422_naming_the_field(client):
    answer = client.get("/api/v1/images", params={"include_intermediates": "maybe"})
    assert answer.status_code == 422 and answer.json()["field"] == "include_intermediates"
