"""`invokeai`, with one more node that takes its time: `python slow_cli.py run "slow_steps ..."`.

The node touches a file when it starts, so a test knows when to press Ctrl-C.
"""

import os
import sys
import time
from typing import Literal

from invoke_cli.main import main
from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext


class SlowStepsInvocation(BaseInvocation, cacheable=False):
    """Sleeps a little per step, checking for cancel between steps unless stubborn."""

    type: Literal["slow_steps"] = "slow_steps"
    steps: int = Field(default=1000, description="How many steps")
    stubborn: bool = Field(default=False, description="Never check for cancel (as a node deep in native code)")

    class Outputs(BaseInvocationOutput):
        value: int = Field(description="The steps taken")

    def invoke(self, context: InvocationContext) -> "SlowStepsInvocation.Outputs":
        open(os.environ["SLOW_STARTED_FILE"], "w").close()
        for _ in range(self.steps):
            if not self.stubborn:
                context.raise_if_canceled()
            time.sleep(0.01)
        return self.Outputs(value=self.steps)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
