"""A cluster on this machine to try scale-out and to test with: N shards and an aggregator.

`start` writes one searchd configuration per daemon into a folder — shard K keeps a
real-time index `shardK` and listens on two ports of 127.0.0.1 (the Sphinx API, which
the aggregator's agents speak, and SphinxQL on the next port, which the feed speaks);
the aggregator holds the distributed index `wenhai` over them — and starts them from the
installed `searchd` (Debian's `sphinxsearch`). Each daemon's pid is in its pid file
(`shard-K.pid`, `aggregator.pid`); `stop` stops exactly those. A convenience, not a
deployment tool: a real cluster puts the shards on their own machines, with mirrors.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from ..errors import ClusterError
from .text import NGRAM_CHARS

#: The distributed index the aggregator answers searches with.
DISTRIBUTED = "wenhai"
#: How long a daemon may take to start listening, or to exit when asked to stop.
START_SECONDS = 30.0
STOP_SECONDS = 30.0
#: What one request may carry: an article's text is sent whole.
PACKET = "128M"
#: Matches a shard keeps per query (the engine's default, 1,000, would cap totals and
#: pages): the candidates a search reads, at most (`cluster.candidates`).
MAX_MATCHES = 100_000

_SHARD = """\
index shard{k}
{{
  type = rt
  path = {data}/shard{k}
  rt_field = title
  rt_field = body
  rt_field = author
  rt_field = source
  rt_field = extra
  rt_field = tags
  rt_field = title_l
  rt_field = body_l
  rt_field = author_l
  rt_field = source_l
  rt_field = extra_l
  rt_field = tags_l
  rt_attr_string = hash
  rt_attr_bigint = published
  rt_attr_bigint = dated_first
  rt_attr_bigint = grp
  rt_attr_uint = year
  rt_attr_uint = month
  rt_attr_string = source_value
  rt_attr_string = author_value
  rt_attr_string = tag_set
  rt_attr_multi = tag_ids
  rt_mem_limit = 256M
  ngram_len = 1
  ngram_chars = {ngram_chars}
  charset_table = U+30..U+39, U+61..U+7A
}}
"""

_AGGREGATOR = """\
index {name}
{{
  type = distributed
{agents}
  agent_connect_timeout = 1000
  agent_query_timeout = 30000
}}
"""

_SEARCHD = """\
searchd
{{
{listen}
  pid_file = {pid}
  log = {data}/searchd.log
  query_log = {data}/query.log
  binlog_path = {data}
  workers = threads
  watchdog = 0
  max_packet_size = {packet}
  collation_server = binary
}}
"""


def searchd() -> str:
    """The installed searchd, or `ClusterError` saying how to install one."""
    found = shutil.which("searchd")
    if found is None:
        raise ClusterError(
            "No `searchd` found on the PATH: install Sphinx (`apt-get install sphinxsearch` "
            "on Debian) or Manticore Search to run a local cluster.")
    return found


def _free_ports(count: int) -> list[int]:
    """`count` ports free on 127.0.0.1 now, each with the next one free too (a shard
    listens on a pair)."""
    found: list[int] = []
    while len(found) < count:
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            if port not in found and port + 1 not in found:
                found.append(port)
    return found


#: What a shard holds: its fields and attributes, as `DESCRIBE` names them.
SCHEMA = tuple(re.findall(r"rt_(?:field|attr_\w+) = (\w+)", _SHARD))


def pid_files(folder: Path) -> list[Path]:
    """The pid files of the daemons started in `folder`: shards first, by number."""
    shards = sorted(folder.glob("shard-*.pid"), key=lambda p: int(p.stem.split("-")[1]))
    return shards + [p for p in [folder / "aggregator.pid"] if p.exists()]


def start(folder: Path, shards: int) -> str:
    """Configure and start `shards` shards and an aggregator in `folder`; returns the
    aggregator's SphinxQL address (HOST:PORT), for `WENHAI_CLUSTER`.

    A folder that has a cluster's configuration already is that cluster: the daemons of
    it that are not running are started again, on the same ports with the same data (a
    shard that stopped is back with what it had; `wenhai check --repair` feeds what it
    missed meanwhile)."""
    binary = searchd()
    if shards < 1:
        raise ClusterError("A cluster needs at least one shard: give --shards 1 or more.")
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "aggregator.conf").exists():
        return _restart(binary, folder, shards)
    ports = _free_ports(shards + 1)
    agents = []
    configs = []
    for k, port in enumerate(ports[:shards], start=1):
        data = folder / f"shard-{k}"
        data.mkdir(exist_ok=True)
        listen = f"  listen = 127.0.0.1:{port}\n  listen = 127.0.0.1:{port + 1}:mysql41"
        text = _SHARD.format(k=k, data=data, ngram_chars=NGRAM_CHARS) + _SEARCHD.format(
            listen=listen, pid=folder / f"shard-{k}.pid", data=data, packet=PACKET)
        configs.append((folder / f"shard-{k}.conf", text, port))
        agents.append(f"  agent = 127.0.0.1:{port}:shard{k}")
    port = ports[-1]
    data = folder / "aggregator"
    data.mkdir(exist_ok=True)
    text = _AGGREGATOR.format(name=DISTRIBUTED, agents="\n".join(agents)) + _SEARCHD.format(
        listen=f"  listen = 127.0.0.1:{port}:mysql41", pid=folder / "aggregator.pid",
        data=data, packet=PACKET)
    configs.append((folder / "aggregator.conf", text, port))
    try:
        for path, text, listening in configs:
            path.write_text(text, encoding="utf-8")
            _run(binary, path, listening)
    except BaseException:
        stop(folder)
        raise
    return f"127.0.0.1:{port}"


_LISTEN = re.compile(r"listen = 127\.0\.0\.1:(\d+)")


def _restart(binary: str, folder: Path, shards: int) -> str:
    """Start again the daemons of the cluster configured in `folder` that are not running."""
    configs = sorted(folder.glob("shard-*.conf"), key=lambda p: int(p.stem.split("-")[1]))
    if len(configs) != shards:
        raise ClusterError(
            f"The cluster in {folder} has {len(configs)} shards, not {shards}: give "
            f"--shards {len(configs)} to start it again, or another --dir for a new one.")
    wanted = set(re.findall(r"rt_(?:attr_\w+|field) = \w+", _SHARD))
    for config in configs:
        if lacking := wanted - set(re.findall(r"rt_(?:attr_\w+|field) = \w+",
                                              config.read_text(encoding="utf-8"))):
            raise ClusterError(
                f"The cluster in {folder} was set up by an older wenhai: its shards lack "
                f"{', '.join(sorted(x.rpartition(' ')[2] for x in lacking))}, which searches "
                f"now find, filter and count by. Stop it (`wenhai cluster stop --dir {folder}`), "
                "start a new one in another --dir, and feed it with `wenhai reindex`.")
    ports = {}
    for config in [*configs, folder / "aggregator.conf"]:
        ports[config] = int(_LISTEN.search(config.read_text(encoding="utf-8")).group(1))
        if not running(config.with_suffix(".pid")):
            _run(binary, config, ports[config])
    return f"127.0.0.1:{ports[folder / 'aggregator.conf']}"


def _run(binary: str, config: Path, port: int) -> None:
    """Start one daemon and wait until it accepts connections on `port`."""
    done = subprocess.run([binary, "--config", str(config)], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise ClusterError(
            f"searchd did not start with {config}: {done.stdout.strip()[-500:]} "
            f"{done.stderr.strip()[-500:]} (see the log beside it)")
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"searchd started with {config} but is not listening on port {port} "
                    f"after {START_SECONDS:.0f} s: see its searchd.log") from None
            time.sleep(0.05)  # nothing to wait on but the port: it is another program's


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def running(path: Path) -> bool:
    """Whether the daemon of the pid file runs: a killed one that its parent has not
    reaped yet (a zombie) does not."""
    pid = _pid(path)
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc here: the signal said it exists
    return state not in ("Z", "X")


def stop(folder: Path) -> list[str]:
    """Stop the daemons whose pid files are in `folder` (SIGTERM, then wait for them to
    exit); returns the names of those that were running."""
    stopped = []
    for path in pid_files(folder):
        pid = _pid(path)
        if pid is None or not running(path):
            continue
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        _wait_gone(pid, path)
        stopped.append(path.stem)
    return stopped


def _wait_gone(pid: int, path: Path) -> None:
    """Wait for `pid` (a daemon, not our child) to exit: on its pidfd where the kernel
    has them, else by looking every 50 ms."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):
        fd = None
    deadline = time.monotonic() + STOP_SECONDS
    try:
        while True:
            if fd is not None:
                if select.select([fd], [], [], STOP_SECONDS)[0]:
                    return
            else:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.05)
            if time.monotonic() > deadline:
                raise ClusterError(f"searchd {pid} ({path.name}) did not stop in "
                                   f"{STOP_SECONDS:.0f} s: stop it with `kill {pid}`.")
    finally:
        if fd is not None:
            os.close(fd)
