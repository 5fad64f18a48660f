"""Invoke's embedded default services: SQLite and files under the root folder.

Importing this package costs nothing: the plugin module names each service as a
"module:factory" string, and a module is imported only when the config selects it.
"""

__version__ = "0.1.0"
