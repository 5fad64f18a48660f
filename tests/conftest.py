"""Shared test setup: installed plugins never leak into a test run unless a test asks, and
nothing a test runs writes into the user's real root folder or sends work to the user's server."""

import os
import tempfile

os.environ["INVOKE_DISABLE_PLUGIN_AUTOLOAD"] = "1"
os.environ["INVOKE_ROOT"] = tempfile.mkdtemp(prefix="invoke-tests-")
os.environ.pop("INVOKE_SERVER", None)
