"""Worker processes of a build: a stop asked for while they are being forked is not lost."""

import subprocess
import sys
import textwrap

import pytest

# Ctrl+C arrives while the process forks (sent from an at-fork hook, where Python prints and drops
# the exception a signal handler raises); the block ends and then the build must stop.
PROGRAM = textwrap.dedent("""
    import os, signal
    from shuangyu.index.workers import interrupts_deferred

    # Python's own Ctrl+C handler even when the test runs in the background, where the shell
    # starts it with SIGINT ignored (and an ignored signal rightly stops nothing).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda number, frame: (_ for _ in ()).throw(KeyboardInterrupt))
    os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.{signal}))
    try:
        with interrupts_deferred():
            child = os.fork()
            if child == 0:
                os._exit(0)
            os.waitpid(child, 0)
            print("forked", flush=True)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    else:
        print("went on", flush=True)
""")


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_stop_asked_for_during_a_fork_stops_the_process_once_the_fork_is_done(name):
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(signal=name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.split() == ["forked", "stopped"]
    assert "Traceback" not in run.stderr
