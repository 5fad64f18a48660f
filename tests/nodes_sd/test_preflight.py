"""The SD nodes' preflight: model names are checked against the installed models before anything runs."""

from __future__ import annotations

import pytest
from invoke_core import Graph, InvocationServices, load_config
from invoke_core.preflight import PreflightError, check_ready

from tests.nodes_sd.graphs import node_by_node, txt2img


def problem(services, graph: dict) -> PreflightError:
    with pytest.raises(PreflightError) as caught:
        check_ready(Graph.model_validate(graph), services.get)
    return caught.value


def test_installed_models_are_ready(sd):
    check_ready(Graph.model_validate(txt2img("tiny")), sd.services.get)
    check_ready(Graph.model_validate(txt2img("tinyxl")), sd.services.get)
    check_ready(Graph.model_validate(node_by_node("tinyfile")), sd.services.get)


def test_a_misspelt_model_names_node_field_and_the_closest_names(sd):
    error = problem(sd.services, txt2img("tinny"))
    assert str(error) == "node 'gen' (txt2img): input 'model': no model named 'tinny'; did you mean 'tiny'?"
    assert (error.node_id, error.field) == ("gen", "model")
    error = problem(sd.services, node_by_node("tinyfil"))
    assert str(error) == (
        "node 'model' (sd_model_loader): input 'model': no model named 'tinyfil'; did you mean 'tinyfile'?"
    )


def test_a_name_like_none_installed_lists_them(sd):
    error = problem(sd.services, txt2img("sd15-photoreal"))
    assert str(error).endswith("no model named 'sd15-photoreal'; installed: tiny, tinyfile, tinyxl")


def test_with_no_model_installed_it_says_how_to_add_one(tmp_path):
    services = InvocationServices.from_config(load_config(tmp_path / "empty", environ={}))
    try:
        error = problem(services, txt2img("tiny"))
    finally:
        services.close()
    assert str(error).endswith("no model named 'tiny'; no model is installed; `invokeai models add PATH` adds one")


def test_a_loader_given_a_model_of_the_other_family_names_the_right_loader(sd):
    error = problem(sd.services, node_by_node("tinyxl"))
    assert (
        str(error)
        == "node 'model' (sd_model_loader): input 'model': model 'tinyxl' is an sdxl model: use sdxl_model_loader"
    )
    error = problem(sd.services, {"nodes": {"xl": {"type": "sdxl_model_loader", "model": "tiny"}}})
    assert (
        str(error) == "node 'xl' (sdxl_model_loader): input 'model': model 'tiny' is an sd-1 model: use sd_model_loader"
    )


def test_model_references_given_as_values_are_checked_too(sd):
    graph = node_by_node("tiny")
    graph["edges"] = [
        e for e in graph["edges"] if e["destination"]["node_id"] != "decode" or e["source"]["node_id"] != "model"
    ]
    graph["nodes"]["decode"]["vae"] = {"model_name": "ghost", "base": "sd-1"}
    error = problem(sd.services, graph)
    assert (error.node_id, error.field) == ("decode", "vae")
    assert "no model named 'ghost'" in str(error)


def test_a_linked_model_name_is_left_to_run_time(sd):
    graph = txt2img("tiny")
    del graph["nodes"]["gen"]["model"]
    graph["nodes"]["name"] = {"type": "string", "value": "ghost"}
    graph["edges"] = [
        {"source": {"node_id": "name", "field": "value"}, "destination": {"node_id": "gen", "field": "model"}}
    ]
    check_ready(Graph.model_validate(graph), sd.services.get)
