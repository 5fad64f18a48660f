"""txt2img through the invoker vs. the diffusers pipeline call plus saving its PNG.

Same tiny random SD 1.x model (built here, no download), 64x64, 10 steps, DDIM, CFG 7.5, warm,
one torch thread (the machine is shared), different seeds per run (same seeds on both sides),
both sides writing a PNG with its parameters. Prints medians and the ratio, then the time from
a cold process to the first image for both.

    python bench/nodes_sd_txt2img.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("INVOKE_DISABLE_PLUGIN_AUTOLOAD", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SIZE, STEPS = 64, 10

PNG_STORAGE = '''
import json, uuid
from pathlib import Path
from PIL.PngImagePlugin import PngInfo
from invoke_core.services.image_storage import MemoryImageStorage

class PngImageStorage(MemoryImageStorage):
    """Like the disk storage: every image is also written as a PNG carrying its metadata."""
    def __init__(self, config):
        super().__init__(config)
        self.folder = Path(config.root) / "images"
        self.folder.mkdir(parents=True, exist_ok=True)
    def save(self, image, **kwargs):
        record = super().save(image, **kwargs)
        info = PngInfo()
        info.add_text("invoke_metadata", json.dumps(record.metadata))
        image.save(self.folder / record.image_name, pnginfo=info)
        return record
'''

COLD_GRAPH = """
import time, os, sys
start = time.perf_counter()
from invoke_core import Invoker, load_config, register_plugin
import invoke_nodes_sd.plugin
register_plugin(invoke_nodes_sd.plugin, name="nodes_sd")
invoker = Invoker(config=load_config(sys.argv[1], environ={}))
graph = {"nodes": {"gen": {"type": "txt2img", "model": "tiny", "prompt": "a lighthouse", "seed": 1,
         "steps": STEPS, "width": SIZE, "height": SIZE, "scheduler": "ddim"}}}
session = invoker.run(graph)
assert not session.errors, session.errors
print(time.perf_counter() - start)
""".replace("STEPS", str(STEPS)).replace("SIZE", str(SIZE))

COLD_PIPE = """
import time, sys
start = time.perf_counter()
import torch
from diffusers import StableDiffusionPipeline
pipe = StableDiffusionPipeline.from_pretrained(sys.argv[1], local_files_only=True)
pipe.set_progress_bar_config(disable=True)
image = pipe("a lighthouse", num_inference_steps=STEPS, width=SIZE, height=SIZE,
             generator=torch.Generator("cpu").manual_seed(1)).images[0]
image.save(sys.argv[2])
print(time.perf_counter() - start)
""".replace("STEPS", str(STEPS)).replace("SIZE", str(SIZE))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    import invoke_nodes_sd.plugin
    import torch
    from invoke_core import InvocationServices, Invoker, load_config, register_plugin
    from invoke_nodes_sd import tiny
    from PIL.PngImagePlugin import PngInfo

    torch.set_num_threads(1)
    work = Path(tempfile.mkdtemp(prefix="bench-sd-"))
    model = tiny.build_sd1(work / "tiny-sd1")
    root = work / "root"
    (work / "png_storage.py").write_text(PNG_STORAGE)
    sys.path.insert(0, str(work))
    from png_storage import PngImageStorage

    register_plugin(invoke_nodes_sd.plugin, name="nodes_sd")
    config = load_config(root, environ={})
    services = InvocationServices(config, images=PngImageStorage(config))
    services.get("model_manager").add(model, name="tiny")
    invoker = Invoker(services)
    # the same on the embedded default, as a user installs it: SQLite, PNG files, latents and
    # conditioning written to disk as safetensors
    local_invoker = None
    try:
        from invoke_services_local import plugin as local_plugin
    except ImportError:
        pass
    else:
        register_plugin(local_plugin, name="local")
        local_services = InvocationServices.from_config(load_config(work / "local-root", environ={}))
        local_services.get("model_manager").add(model, name="tiny")
        local_invoker = Invoker(local_services)

    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(model, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    out = work / "pipe"
    out.mkdir()

    def run_pipe(seed: int) -> None:
        image = pipe(
            "a lighthouse",
            negative_prompt="",
            num_inference_steps=STEPS,
            guidance_scale=7.5,
            width=SIZE,
            height=SIZE,
            generator=torch.Generator("cpu").manual_seed(seed),
        ).images[0]
        info = PngInfo()
        info.add_text("parameters", json.dumps({"prompt": "a lighthouse", "seed": seed, "steps": STEPS}))
        image.save(out / f"{seed}.png", pnginfo=info)

    def run_graph(seed: int, invoker: Invoker = invoker) -> None:
        graph = {
            "nodes": {
                "gen": {
                    "type": "txt2img",
                    "model": "tiny",
                    "prompt": "a lighthouse",
                    "seed": seed,
                    "steps": STEPS,
                    "cfg_scale": 7.5,
                    "width": SIZE,
                    "height": SIZE,
                    "scheduler": "ddim",
                }
            }
        }
        session = invoker.run(graph)
        assert not session.errors, session.errors

    for seed in range(3):  # warm all: first calls allocate and load
        run_pipe(seed)
        run_graph(seed)
        if local_invoker is not None:
            run_graph(seed, local_invoker)
    pipe_times, graph_times, local_times = [], [], []
    for seed in range(100, 100 + args.runs):  # interleaved, so drift hits all alike
        start = time.perf_counter()
        run_pipe(seed)
        pipe_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        run_graph(seed)
        graph_times.append(time.perf_counter() - start)
        if local_invoker is not None:
            start = time.perf_counter()
            run_graph(seed, local_invoker)
            local_times.append(time.perf_counter() - start)
    pipe_ms = statistics.median(pipe_times) * 1000
    graph_ms = statistics.median(graph_times) * 1000

    env = {**os.environ, "INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1", "OMP_NUM_THREADS": "1"}
    cold_graph = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD_GRAPH, str(root)], capture_output=True, text=True, env=env, check=True
            ).stdout.split()[-1]
        )
        for _ in range(3)
    ]
    cold_pipe = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD_PIPE, str(model), str(work / "cold.png")],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            ).stdout.split()[-1]
        )
        for _ in range(3)
    ]

    print(f"tiny SD 1.x, {SIZE}x{SIZE}, {STEPS} steps, DDIM, 1 thread, median of {args.runs} warm runs")
    print(f"{'what':<44}{'ms':>10}")
    print(f"{'diffusers pipeline call + PNG save':<44}{pipe_ms:>10.1f}")
    print(f"{'txt2img graph through the invoker':<44}{graph_ms:>10.1f}")
    print(f"{'ratio graph / pipeline':<44}{graph_ms / pipe_ms:>10.3f}")
    if local_times:
        local_ms = statistics.median(local_times) * 1000
        print(f"{'txt2img graph on the local services':<44}{local_ms:>10.1f}")
        print(f"{'ratio local graph / pipeline':<44}{local_ms / pipe_ms:>10.3f}")
    print(f"{'cold process to first image: graph (best of 3)':<44}{min(cold_graph) * 1000:>10.0f}")
    print(f"{'cold process to first image: pipeline (best of 3)':<44}{min(cold_pipe) * 1000:>10.0f}")


if __name__ == "__main__":
    main()
