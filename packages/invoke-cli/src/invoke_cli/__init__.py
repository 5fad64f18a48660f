"""The `invokeai` command line interface.

Commands are generated from node metadata, so every installed node pack shows up with no
extra code. Importing this package is cheap: click, rich and the node modules load only when
a command needs them.
"""

__version__ = "0.1.0"
