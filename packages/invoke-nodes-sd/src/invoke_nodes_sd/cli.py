"""`invokeai models add|list|remove|install`: the model registry from the command line.

Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

from typing import Any

import click

from invoke_nodes_sd.errors import ModelError


def _manager(root: str | None) -> Any:
    from invoke_core import load_config

    from invoke_nodes_sd.model_manager import ModelManager

    return ModelManager(load_config(root))


ROOT_HELP = "The root folder (config, local storage). Default: INVOKE_ROOT or ~/invokeai."
ROOT_TYPE = click.Path(file_okay=False)


def _subcommand_root(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.obj = value  # what the subcommand reads instead of the group's


# `models --root DIR list` and `models list --root DIR` mean the same; the later one wins
subcommand_root_option = click.option(
    "--root", type=ROOT_TYPE, default=None, expose_value=False, callback=_subcommand_root, help=ROOT_HELP
)


def _fail(error: Exception) -> None:
    click.echo(f"error: {error}", err=True)
    raise SystemExit(2)


def add_models_command(cli: click.Group) -> None:
    @cli.group("models")
    @click.option("--root", envvar="INVOKE_ROOT", default=None, type=ROOT_TYPE, help=ROOT_HELP)
    @click.pass_context
    def models(ctx: click.Context, root: str | None) -> None:
        """Install, list and remove Stable Diffusion models."""
        ctx.obj = root

    @models.command("add")
    @click.argument("path", type=click.Path())
    @click.option("--name", default=None, help="The name nodes will use (default: from the file or folder name)")
    @click.option(
        "--config",
        "config_dir",
        default=None,
        type=click.Path(),
        help="For a single file: a local diffusers folder with its configs",
    )
    @subcommand_root_option
    @click.pass_obj
    def add(root: str | None, path: str, name: str | None, config_dir: str | None) -> None:
        """Register the model at PATH (a diffusers folder or a .safetensors/.ckpt file)."""
        try:
            record = _manager(root).add(path, name=name, config=config_dir)
        except ModelError as error:
            _fail(error)
        click.echo(f"added {record.name} ({record.base}, {record.format}) from {record.path}")

    @models.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object per model")
    @subcommand_root_option
    @click.pass_obj
    def list_models(root: str | None, as_json: bool) -> None:
        """List the installed models."""
        try:
            records = _manager(root).list()
        except ModelError as error:
            _fail(error)
        for record in records:
            if as_json:
                click.echo(record.model_dump_json())
            else:
                click.echo(f"{record.name}\t{record.base}\t{record.format}\t{record.path}")

    @models.command("remove")
    @click.argument("name")
    @subcommand_root_option
    @click.pass_obj
    def remove(root: str | None, name: str) -> None:
        """Forget the model NAME (its files are left where they are)."""
        try:
            record = _manager(root).remove(name)
        except ModelError as error:
            _fail(error)
        click.echo(f"removed {record.name}")

    @models.command("install")
    @click.argument("repo_id")
    @click.option("--name", default=None, help="The name nodes will use (default: the repository name)")
    @click.option("--revision", default=None, help="A branch, tag or commit of the repository")
    @subcommand_root_option
    @click.pass_obj
    def install(root: str | None, repo_id: str, name: str | None, revision: str | None) -> None:
        """Download the diffusers model REPO_ID from the Hugging Face hub and register it."""
        try:
            record = _manager(root).install(repo_id, name=name, revision=revision)
        except ModelError as error:
            _fail(error)
        click.echo(f"installed {record.name} ({record.base}) into {record.path}")
