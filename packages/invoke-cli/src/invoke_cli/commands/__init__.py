"""The built-in `invokeai` subcommands, one module per family."""
