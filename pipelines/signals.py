"""Signals in the processes that run Dagster."""

import signal


def interruptible() -> None:
    """Make sure SIGTERM can stop what Dagster starts. A process started with SIGINT ignored (a shell's background
    job, nohup, some CI runners) would have Dagster map SIGTERM to that too (it gives SIGTERM SIGINT's handler), and
    the processes it starts inherit an ignored SIGTERM: the `tail`s that mirror a step's output then cannot be
    stopped, each run waits 30 s for them and they outlive it, holding its output open. Python's own SIGINT handler
    is restored (Ctrl-C interrupts), and an ignored SIGTERM made the default again."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
