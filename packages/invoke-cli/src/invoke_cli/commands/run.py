"""`invokeai run` (a pipeline or a graph file) and `invokeai graph` (print a pipeline's graph)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from invoke_cli.app import App
from invoke_cli.errors import CliError, Interrupted, RunFailed
from invoke_cli.graph_file import load_graph_file
from invoke_cli.image_files import LocalImageStore, import_image_paths
from invoke_cli.output import failure_message, failure_tracebacks, print_outputs, print_summary, report_json
from invoke_cli.pipeline import build_graph, split_words
from invoke_cli.pipeline_command import PipelineCommand
from invoke_cli.running import ProgressListener, run_session

PIPELINE_SETTINGS = {"ignore_unknown_options": True, "allow_interspersed_args": False}


def pipeline_words(arguments: tuple[str, ...]) -> list[str]:
    """One argument is a pipeline to split like a shell; several are already split words."""
    if len(arguments) == 1:
        return split_words(arguments[0])
    return list(arguments)


def progress_listener(quiet: bool, as_json: bool) -> ProgressListener | None:
    if quiet or as_json or not sys.stderr.isatty():
        return None
    from invoke_cli.progress import RichProgress

    return RichProgress()


def run_and_report(app: App, session: Any, *, quiet: bool, as_json: bool) -> None:
    report = run_session(app, session, progress_listener(quiet, as_json))
    if as_json:
        click.echo(json.dumps(report_json(app, report), indent=2))
    else:
        print_outputs(app, report)
        if not quiet:
            print_summary(report)
    if report.interrupted:
        raise Interrupted(f"interrupted: session {session.id} was canceled")
    failed = failure_message(session)
    if failed:
        raise RunFailed(failed, failure_tracebacks(session))


@click.command(cls=PipelineCommand, context_settings=PIPELINE_SETTINGS)
@click.option(
    "--graph", "graph_file", type=click.Path(dir_okay=False, path_type=Path), help="Run this graph JSON file."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document describing the run.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars and no timing summary.")
@click.argument("pipeline", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def run(app: App, graph_file: Path | None, as_json: bool, quiet: bool, pipeline: tuple[str, ...]) -> None:
    """Run a PIPELINE of nodes, or a graph file.

    \b
    A pipeline is commands separated by |; each is a node type and its --field value options:
      invokeai run "img_noise --width 64 --height 64 --seed 7 | img_blur --radius 2 | save_image"
    Outputs of one command whose name and type match inputs of the next are linked. Link any
    output yourself with --link DEST_FIELD SOURCE_NODE SOURCE_FIELD (SOURCE_NODE: an id, or -1
    for the previous command). `invokeai run "TYPE --help"` shows a node's options.
    """
    from invoke_core import Session
    from invoke_core.preflight import check_ready

    if graph_file is not None and pipeline:
        raise CliError("give either a pipeline or --graph FILE, not both")
    if app.server and (graph_file is not None or pipeline):
        from invoke_cli.remote import run_on_server

        words = pipeline_words(pipeline) if pipeline else None
        run_on_server(app, words=words, graph_file=graph_file, quiet=quiet, as_json=as_json)
        return
    if graph_file is not None:
        graph = load_graph_file(graph_file, limits=app.invoker.limits)
    elif pipeline:
        graph = build_graph(pipeline_words(pipeline))
    else:
        raise CliError('nothing to run: give a pipeline ("add --a 1 | ...") or --graph FILE')
    check_ready(graph, app.services.get)  # input errors exit 2 before anything runs or is stored
    import_image_paths(graph, LocalImageStore(app.services.images))
    run_and_report(app, Session(graph), quiet=quiet, as_json=as_json)


@click.command(cls=PipelineCommand, context_settings=PIPELINE_SETTINGS)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.argument("pipeline", nargs=-1, required=True, type=click.UNPROCESSED)
def graph(output: Path | None, pipeline: tuple[str, ...]) -> None:
    """Print the graph JSON that PIPELINE builds, to save, edit and `run --graph`."""
    text = json.dumps(build_graph(pipeline_words(pipeline)).model_dump(), indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
