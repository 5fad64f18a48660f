"""Stable Diffusion nodes and the model manager for Invoke.

Importing this package (or its plugin module) loads neither torch nor diffusers: they are
imported inside the functions that load models or run nodes.
"""

__version__ = "0.1.0"
