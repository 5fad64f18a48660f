"""Shared test setup: installed plugins never leak into a test run unless a test asks."""

import os

os.environ["INVOKE_DISABLE_PLUGIN_AUTOLOAD"] = "1"
