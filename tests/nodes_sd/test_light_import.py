"""Importing the package, loading the plugin and listing nodes pull neither torch nor diffusers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

CHECK = """
import json, sys
import invoke_nodes_sd, invoke_nodes_sd.plugin
from invoke_core import invocation_classes, node_schema, register_plugin
register_plugin(invoke_nodes_sd.plugin, name="nodes_sd")
classes = invocation_classes()
types = sorted(classes)
schemas = [node_schema(cls) for cls in classes.values()]
heavy = sorted(name for name in ("torch", "diffusers", "transformers", "click") if name in sys.modules)
print(json.dumps({"types": types, "heavy": heavy}))
"""


def test_plugin_and_node_listing_stay_light() -> None:
    env = {**os.environ, "INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    output = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    assert result["heavy"] == []
    for node_type in ("txt2img", "img2img", "inpaint", "denoise_latents", "noise", "l2i", "i2l", "sdxl_prompt"):
        assert node_type in result["types"]
