"""Named moments at which a test can hold a writer still, to see what others see then.

A writer passes `pause("storing")` with its SQLite transaction open, and so on. Nothing
happens unless the environment says ``WENHAI_PAUSE=<moment>:<reached fd>:<resume fd>``
(two pipes a test passed to the process): then the writer writes the moment's name to
the first, waits until the second is written to or closed, and goes on. Only the first
time: the variable is removed, so worker processes and later moments run freely. A
test that dies closes its pipes, and the writer goes on — it is never left hanging.

Moments: ``storing`` (files stored in an open transaction), ``indexing`` (stored
articles committed, the index not yet written), ``rebuilding`` (a new index being built
in ``index.new/``, the old one in place), ``marking`` (inside the transaction that marks
articles indexed).
"""

from __future__ import annotations

import os

ENV = "WENHAI_PAUSE"


def pause(moment: str) -> None:
    spec = os.environ.get(ENV, "")
    name, _, fds = spec.partition(":")
    if name != moment:
        return
    del os.environ[ENV]
    reached, resume = (int(fd) for fd in fds.split(":"))
    try:
        os.write(reached, moment.encode())
        os.close(reached)
        os.read(resume, 1)
    finally:
        os.close(resume)
