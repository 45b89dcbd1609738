"""`python -m analysis.batch.kernel_launcher -f CONNECTION_FILE`: ipykernel that dies with its worker.

The batch's kernel managers start kernels through this module instead of
``ipykernel_launcher`` (see kernels.OwnedKernelManager). It asks for SIGKILL when the worker
that started the kernel ends, then runs ipykernel exactly as its own launcher would.
ipykernel's parent polling alone misses a kernel stuck in C code that holds the GIL.
"""

from __future__ import annotations

import os
import runpy

from analysis.batch.processes import die_with_parent

if __name__ == "__main__":
    # jupyter_client sets JPY_PARENT_PID to the pid of the process that launched the kernel.
    parent = os.environ.get("JPY_PARENT_PID", "")
    if parent.isdigit():
        die_with_parent(int(parent))
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
