"""`invokeai nodes` (every node type, grouped by plugin) and `invokeai nodes show TYPE`."""

from __future__ import annotations

import json
from typing import Any

import click

from invoke_cli.errors import CliError
from invoke_cli.node_commands import show_constraints, show_default
from invoke_cli.pipeline import node_classes, unknown_type_message
from invoke_cli.values import metavar


def nodes_by_plugin() -> dict[str, list[type]]:
    from invoke_core import plugin_of

    grouped: dict[str, list[type]] = {}
    for name, cls in sorted(node_classes().items()):
        grouped.setdefault(plugin_of(name) or "(not from a plugin)", []).append(cls)
    return grouped


def describe_node(cls: Any) -> dict[str, Any]:
    """A node type's metadata, inputs and outputs as plain data."""
    from invoke_core import plugin_of

    meta = cls.metadata()

    def fields(infos: dict[str, Any], inputs: bool) -> list[dict[str, Any]]:
        described = []
        for name, info in infos.items():
            entry = {"name": name, "type": metavar(info.annotation), "description": info.description or ""}
            if inputs:
                entry["required"] = name in cls.__required_inputs__
                entry["default"] = None if entry["required"] else show_default(info)
                entry["limits"] = show_constraints(info)
            described.append(entry)
        return described

    return {
        **meta,
        "plugin": plugin_of(meta["type"]),
        "inputs": fields(cls.input_fields(), True),
        "outputs": fields(cls.output_fields(), False),
    }


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {plugin: [{type, description}]}.")
@click.pass_context
def nodes(ctx: click.Context, as_json: bool) -> None:
    """List the node types of every installed plugin."""
    if ctx.invoked_subcommand is not None:
        return
    grouped = nodes_by_plugin()
    if as_json:
        listing = {
            plugin: [{"type": cls.invocation_type(), "description": cls.metadata()["description"]} for cls in classes]
            for plugin, classes in grouped.items()
        }
        click.echo(json.dumps(listing, indent=2))
        return
    width = max((len(cls.invocation_type()) for classes in grouped.values() for cls in classes), default=0)
    for plugin, classes in grouped.items():
        click.echo(f"{plugin}:")
        for cls in classes:
            click.echo(f"  {cls.invocation_type():<{width}}  {cls.metadata()['description']}")


@nodes.command()
@click.argument("node_type")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the node's schema as JSON, as GET /api/v1/nodes/TYPE gives it."
)
def show(node_type: str, as_json: bool) -> None:
    """Show one node type: its inputs, outputs, types and defaults."""
    classes = node_classes()
    cls = classes.get(node_type)
    if cls is None:
        raise CliError(unknown_type_message(node_type, classes))
    if as_json:
        from invoke_core import node_schema

        # one schema for the CLI and the web API: JSON defaults, every constraint validation enforces
        click.echo(json.dumps(node_schema(cls), indent=2))
        return
    described = describe_node(cls)
    click.echo(f"{described['type']}: {described['title']} (plugin {described['plugin']})")
    if described["description"]:
        click.echo(f"  {described['description']}")
    if described["category"] or described["tags"]:
        click.echo(f"  category: {described['category'] or '-'}; tags: {', '.join(described['tags']) or '-'}")
    for title, rows in (("inputs", described["inputs"]), ("outputs", described["outputs"])):
        click.echo(f"{title}:")
        width = max((len(row["name"]) for row in rows), default=0)
        type_width = max((len(row["type"]) for row in rows), default=0)
        for row in rows:
            limits = f"; {row['limits']}" if row.get("limits") else ""
            if "required" not in row:
                note = ""
            elif row["required"]:
                note = f"  (required unless linked{limits})"
            else:
                note = f"  (default {row['default']}{limits})"
            click.echo(f"  {row['name']:<{width}}  {row['type']:<{type_width}}  {row['description']}{note}")
