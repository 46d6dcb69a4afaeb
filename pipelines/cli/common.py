"""What every command shares: the operator's terminal (names escaped, no markup), the settings from the
command line, the Dagster instance of the data folder, and naming one report."""

import argparse
import fcntl
import os
import re
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

INSTANCE_YAML = """# The Dagster instance of a data folder (run history, partitions, pools).
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
"""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown(value: object) -> str:
    """A name or message as the terminal may print it: a control character (an escape, a newline, a carriage
    return) is written as its code, so a file name can neither drive the terminal nor forge a line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(value))


def console_for(width: int) -> Console:
    """Rich output that never reads markup in what it prints (a data folder may be named `[/x]`)."""
    return Console(width=None if sys.stdout.isatty() else width, markup=False, highlight=False, emoji=False)


def texts(*values: Any) -> list[Text]:
    """Cells as plain text: a file name like `budget[draft].pdf` is printed as it is, never as markup; a
    figure as a reader writes it (0, not 0E-10)."""
    from decimal import Decimal

    from yusuan.money import plain

    return [Text("" if v is None else plain(v) if isinstance(v, Decimal) else shown(v)) for v in values]


def default_dagster_home(data_dir: Path) -> None:
    """Use DAGSTER_HOME when set; else the project's instance when run from the project folder; else
    an instance kept in the data folder. Telemetry is off whatever DAGSTER_HOME holds."""
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    if os.environ.get("DAGSTER_HOME"):
        return
    home = Path(".dagster_home")
    if not (home / "dagster.yaml").exists():
        home = data_dir / ".dagster"
        home.mkdir(parents=True, exist_ok=True)
        if not (home / "dagster.yaml").exists():
            (home / "dagster.yaml").write_text(INSTANCE_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home.resolve())


def config(args: argparse.Namespace) -> dict[str, Any]:
    cfg: dict[str, Any] = {}
    if args.warehouse:
        cfg["warehouse"] = str(Path(args.warehouse).resolve())
    if getattr(args, "data_dir", None):
        cfg["data_dir"] = str(Path(args.data_dir).resolve())
    if getattr(args, "max_pages", None):
        cfg["max_pages"] = int(args.max_pages)
    # settings from the environment travel in the run's config, so every step process (and the run's
    # record in the UI) has the same ones
    for key, env, kind in (("expectations", "YUSUAN_EXPECTATIONS", str), ("max_pages", "YUSUAN_MAX_PAGES", int),
                           ("parse_memory_mb", "YUSUAN_PARSE_MEMORY_MB", int),
                           ("parse_seconds", "YUSUAN_PARSE_SECONDS", float)):
        if key not in cfg and os.environ.get(env):
            cfg[key] = str(Path(os.environ[env]).resolve()) if key == "expectations" else kind(os.environ[env])
    return cfg


def python_logs(home: Path) -> dict[str, Any]:
    """The `python_logs` of the instance's dagster.yaml with a level of at most INFO.

    One level serves two ends in Dagster: it filters what a run logs (so above INFO the event log would lose
    each report's line), and it is the level of the console logger that a step process uses before the run's
    own loggers are set up (at INFO and above, its DEBUG `STEP_WORKER_STARTED` lines stay off the terminal)."""
    import logging

    import yaml

    try:
        section = (yaml.safe_load((home / "dagster.yaml").read_text(encoding="utf-8")) or {}).get("python_logs")
    except (OSError, yaml.YAMLError, AttributeError):
        section = None
    logs = dict(section) if isinstance(section, dict) else {}
    level = logging.getLevelName(str(logs.get("python_log_level", "")).upper())
    if not isinstance(level, int) or level > logging.INFO:
        logs["python_log_level"] = "INFO"
    return logs


def dagster_instance() -> Any:
    """The Dagster instance of DAGSTER_HOME. Two commands starting at once on a new DAGSTER_HOME would
    both create its database; a file lock makes them take turns."""

    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    # whatever dagster.yaml says (or lacks): no telemetry, and the run's INFO lines kept (the step processes
    # inherit these settings with the instance); the terminal is quieted by the console loggers alone
    overrides = {"telemetry": {"enabled": False}, "python_logs": python_logs(home)}
    with open(home / ".yusuan-instance.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=overrides))
        instance.get_run_records(limit=1)  # creates and migrates the storage while locked
        fcntl.flock(lock, fcntl.LOCK_UN)
    return instance


def no_warehouse(resource: Any) -> bool:
    """True, said on stderr, when the warehouse file does not exist (a reading command creates nothing)."""
    path = resource.warehouse_path()
    if path.exists():
        return False
    print(f"no warehouse at {path} yet: `yusuan ingest PDF...` creates it (--data-dir or --warehouse names "
          "another)", file=sys.stderr)
    return True


PREFIX_MIN = 6  # the shortest id or SHA-256 prefix that names a report (one hex digit names one in sixteen)


def one_report(con: Any, report: str, *, by_name: bool = False) -> tuple[str, str] | None:
    """(report_id, file_name) of the one report named by its id (or the start of it), its file name, the path of
    the file ingested, or a SHA-256 prefix; with `by_name` also by its department's name or part of it, or part of
    its file name (what a reader remembers of a report), an exact name winning over a part of one. None, said on
    stderr with what was looked for, when none match or several do (each named)."""
    name = report.strip()
    key = name.lower()
    sha = None
    if os.path.isfile(name):  # the path of the file ingested: its content names it
        from yusuan.register import sha256_of

        try:
            sha = sha256_of(Path(name))
        except OSError:
            sha = None
    found = con.execute("SELECT report_id, file_name, department FROM budget.reports WHERE report_id = ? "
                        "OR file_name = ? OR file_name = ? OR sha256 = ? OR (len(?) >= ? AND starts_with(report_id, ?)) "
                        "OR (len(?) >= ? AND starts_with(sha256, ?)) ORDER BY file_name",
                        [key, name, Path(name).name, sha, key, PREFIX_MIN, key, key, PREFIX_MIN, key]).fetchall()
    if not found and by_name and name:
        found = con.execute("SELECT report_id, file_name, department FROM budget.reports WHERE department = ? "
                            "ORDER BY file_name", [name]).fetchall()
        if not found:
            found = con.execute("SELECT report_id, file_name, department FROM budget.reports "
                                "WHERE contains(lower(file_name), ?) OR contains(lower(coalesce(department, '')), ?) "
                                "ORDER BY file_name", [key, key]).fetchall()
    if len(found) == 1:
        return found[0][0], found[0][1]
    if found:
        listed = "; ".join(f"{f[1]} ({f[2] or 'department not read'}, {f[0]})" for f in found)
        print(shown(f"{report!r} names {len(found)} reports: {listed}; name one by its file name or report id"),
              file=sys.stderr)
        return None
    looked = "report id, SHA-256 prefix, file name" + (", part of a file name, department name or part of one"
                                                       if by_name else "")
    short = (f"; an id or SHA-256 prefix needs {PREFIX_MIN} characters"
             if len(key) < PREFIX_MIN and re.fullmatch(r"r?[0-9a-f]+", key) else "")
    print(shown(f"no report matches {report!r} (looked for it as a {looked}){short}; `yusuan status` lists the "
                "reports"), file=sys.stderr)
    return None


def review_config(args: argparse.Namespace) -> dict[str, Any]:
    """The settings of `yusuan review`: those of every command, and where no data folder is named (--data-dir,
    YUSUAN_DATA_DIR) but a warehouse is, the warehouse's own folder, which holds the store of the PDFs it was
    built from (DATA_DIR/warehouse.duckdb beside DATA_DIR/store)."""
    cfg = config(args)
    warehouse = cfg.get("warehouse") or os.environ.get("YUSUAN_WAREHOUSE")
    if "data_dir" not in cfg and not os.environ.get("YUSUAN_DATA_DIR") and warehouse:
        cfg["data_dir"] = str(Path(warehouse).resolve().parent)
    return cfg


def operational(e: BaseException) -> str | None:
    """What an operator is told of a failure of the machine rather than of a report (a full disk, an unwritable
    folder, the Dagster instance's database), in one line with the way on; None for any other error."""
    import errno

    try:
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:  # pragma: no cover - dagster brings it
        SQLAlchemyError = ()  # type: ignore[assignment,misc]  # noqa: N806
    home = os.environ.get("DAGSTER_HOME", "")
    if isinstance(e, SQLAlchemyError):
        cause = str(getattr(e, "orig", None) or e).splitlines()[0]
        return (f"the Dagster instance in {home} cannot be used ({cause}); free space or fix its folder, "
                "then run the command again (published reports are unaffected)")
    if isinstance(e, OSError):
        where = f" ({e.filename})" if e.filename else ""
        if home and str(e.filename or "").startswith(home):
            return (f"the Dagster instance in {home} cannot be used: {e.strerror or e}{where}; fix its folder or "
                    "free space, then run the command again (published reports are unaffected)")
        if e.errno == errno.ENOSPC:
            return f"no space left on the device{where}; free space, then run the command again (published " \
                   "reports are unaffected: a publish is whole or not at all)"
        return f"{e.strerror or e}{where}"
    return None

