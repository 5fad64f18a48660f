"""The node API as third parties write it: fields, metadata, schemas, required inputs."""

from __future__ import annotations

from typing import Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Field,
    ImageField,
    InvocationContext,
    get_invocation_class,
    node_schema,
)
from invoke_core.errors import InvalidNodeClassError


class NodeApiUpscaleInvocation(
    BaseInvocation, title="Upscale Image", tags=("image", "upscale"), category="image", version="1.2.0"
):
    """Upscales an image."""

    type: Literal["node_api_upscale"] = "node_api_upscale"

    # Inputs
    image: ImageField | None = Field(description="The input image")
    strength: float = Field(default=0.75, gt=0, le=1, description="The strength")
    level: Literal[2, 4] = Field(default=2, description="The upscale level")

    class Outputs(BaseInvocationOutput):
        image: ImageField = Field(description="The upscaled image")

    def invoke(self, context: InvocationContext) -> NodeApiUpscaleInvocation.Outputs:
        assert self.image is not None
        return self.Outputs(image=self.image)


class NodeApiPlainInvocation(BaseInvocation):
    """Has no metadata keywords at all."""

    type: Literal["node_api_plain"] = "node_api_plain"
    count: int = Field(description="required, no default")
    label: str | None = None

    class Outputs(BaseInvocationOutput):
        count: int

    def invoke(self, context: InvocationContext) -> NodeApiPlainInvocation.Outputs:
        return self.Outputs(count=self.count)


def test_metadata_from_keywords_and_docstring():
    meta = NodeApiUpscaleInvocation.metadata()
    assert meta == {
        "type": "node_api_upscale",
        "title": "Upscale Image",
        "description": "Upscales an image.",
        "tags": ["image", "upscale"],
        "category": "image",
        "version": "1.2.0",
        "cacheable": True,
    }
    plain = NodeApiPlainInvocation.metadata()
    assert plain["title"] == "Node Api Plain" and plain["version"] == "1.0.0" and plain["tags"] == []


def test_schema_lists_required_inputs_without_defaults():
    schema = NodeApiUpscaleInvocation.model_json_schema()
    properties = schema["properties"]
    assert "image" in schema["required"] and "default" not in properties["image"]
    assert properties["strength"]["exclusiveMinimum"] == 0 and properties["strength"]["maximum"] == 1
    assert properties["strength"]["description"] == "The strength"
    assert properties["level"]["enum"] == [2, 4]
    assert schema["category"] == "image" and schema["version"] == "1.2.0"
    assert NodeApiPlainInvocation.model_json_schema()["required"] == ["count"]


def test_node_schema_carries_inputs_outputs_and_plugin():
    schema = node_schema(get_invocation_class("add"))
    assert schema["type"] == "add" and schema["plugin"] == "builtin"
    assert set(schema["inputs"]["properties"]) >= {"a", "b"}
    assert schema["outputs"]["properties"]["value"]["type"] == "integer"
    assert schema["description"]


def test_required_inputs_may_start_empty_but_are_tracked():
    node = NodeApiPlainInvocation(id="n")
    assert node.missing_inputs() == ["count"]
    assert "count" not in node.graph_dict()
    assert NodeApiPlainInvocation(id="n", count=3).missing_inputs() == []
    # an explicit None counts as given for an optional input
    upscale = NodeApiUpscaleInvocation(id="u", image=None)
    assert upscale.missing_inputs() == []
    with pytest.raises(ValueError):
        NodeApiPlainInvocation(count="many")


def test_validation_constraints_apply_to_direct_values():
    with pytest.raises(ValueError):
        NodeApiUpscaleInvocation(strength=0)
    with pytest.raises(ValueError):
        NodeApiUpscaleInvocation(level=3)
    with pytest.raises(ValueError):
        NodeApiUpscaleInvocation(unknown_field=1)


def test_input_and_output_fields_exclude_reserved_ones():
    assert list(NodeApiUpscaleInvocation.input_fields()) == ["image", "strength", "level"]
    assert list(NodeApiUpscaleInvocation.output_fields()) == ["image"]


def test_a_node_without_outputs_class_is_refused_at_definition():
    with pytest.raises(InvalidNodeClassError) as caught:

        class NoOutputsInvocation(BaseInvocation):  # noqa: F841
            """Forgot its Outputs."""

            type: Literal["node_api_no_outputs"] = "node_api_no_outputs"

    assert "Outputs" in str(caught.value)


def test_abstract_bases_need_no_type():
    class ImageNodeBase(BaseInvocation):
        """A shared base for image nodes."""

        image: ImageField = Field(description="The image")

    assert ImageNodeBase.invocation_type() is None

    class NodeApiFromBaseInvocation(ImageNodeBase):
        """Inherits a required image input."""

        type: Literal["node_api_from_base"] = "node_api_from_base"

        class Outputs(BaseInvocationOutput):
            width: int

        def invoke(self, context: InvocationContext) -> NodeApiFromBaseInvocation.Outputs:
            return self.Outputs(width=1)

    assert NodeApiFromBaseInvocation(id="x").missing_inputs() == ["image"]
    assert get_invocation_class("node_api_from_base") is NodeApiFromBaseInvocation


@pytest.mark.parametrize(
    ("keywords", "complaint"),
    [
        ({"tags": "math"}, "tags must be a list of strings"),
        ({"title": 3}, "title must be a string"),
        ({"cacheable": "no"}, "cacheable must be True or False"),
        ({"titel": "Typo"}, "unknown class keyword(s) titel"),
    ],
)
def test_bad_class_keywords_are_refused_with_a_clear_message(keywords, complaint):
    with pytest.raises(InvalidNodeClassError) as caught:
        type(
            "BadMetadataInvocation",
            (BaseInvocation,),
            {"__annotations__": {}, "__module__": __name__},
            **keywords,
        )
    assert complaint in str(caught.value) and "BadMetadataInvocation" in str(caught.value)
