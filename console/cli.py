"""`urban-console`: the command line (architecture.md, command-line contract).

Every subcommand takes `--db URL`; the default is $URBAN_CONSOLE_DB, else the
embedded SQLite file in the user data directory, created and seeded with the
demo city on first use.  Errors print one line naming what was wrong and exit
non-zero; nothing is half-written (each command is one transaction).
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    """One line for the operator; the CLI exits non-zero."""


# --- database opening ---------------------------------------------------------------------


def open_db(url: str | None, *, seed_demo: bool = True):
    """Open (and on first use create) the database; the embedded default gets the demo city."""
    from console.data.db import Database, default_url
    from console.data.schema import current_revision, head_revision, upgrade

    explicit = url is not None
    db = Database(url or default_url())
    db.check()
    if current_revision(db) is None:
        if explicit and not _is_new_sqlite(db):
            raise CliError(f"数据库 {db!r} 尚无表结构：请先运行 `urban-console db upgrade --db URL` 或 `demo` (database has no schema)")
        upgrade(db)
        if seed_demo:
            _say("首次运行：正在生成示范城市 (first run: generating the demo city) ...")
            _generate_demo(db, "city", 1, None)
    elif current_revision(db) != head_revision():
        raise CliError(f"数据库结构版本 {current_revision(db)} 落后于 {head_revision()}：请运行 `urban-console db upgrade`")
    return db


def _is_new_sqlite(db) -> bool:  # noqa: ANN001
    from sqlalchemy import inspect

    return db.dialect == "sqlite" and not inspect(db.engine).get_table_names()


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _generate_demo(db, scale: str, seed: int, history_days: int | None) -> dict:  # noqa: ANN001
    from console.data.demo import generate

    return generate(db, scale=scale, seed=seed, history_days=history_days, progress=_say)


# --- subcommands ------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    db = open_db(args.db)
    from console.app import run_console

    return run_console(db, seat=args.seat, user=args.user, screen=args.screen)


def cmd_demo(args: argparse.Namespace) -> int:
    from console.data.db import Database, default_url
    from console.data.schema import upgrade

    db = Database(args.db or default_url())
    db.check()
    if args.force:
        _wipe(db)
    upgrade(db)
    summary = _generate_demo(db, args.scale, args.seed, args.history_days)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _wipe(db) -> None:  # noqa: ANN001
    """--force: drop every table of ours (and Alembic's) so the demo starts clean."""
    from sqlalchemy import text

    from console.data.models import Base

    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def cmd_stats(args: argparse.Namespace) -> int:
    from console.data.queries import stats

    db = open_db(args.db)
    result = stats(db, scope=args.street)
    _warn_calendar(db)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from console.data.db import Database, default_url
    from console.data.schema import upgrade

    db = Database(args.db or default_url())
    db.check()
    print(f"schema at revision {upgrade(db)}")
    return 0


def cmd_check_grids(args: argparse.Namespace) -> int:
    from console.data.importers import check_grids

    db = None if args.file else open_db(args.db)
    problems = check_grids(db, Path(args.file) if args.file else None, crs=args.crs)
    for problem in problems:
        print(problem.message)
    print(f"{len(problems)} 个问题 (problems)" if problems else "网格图层检查通过：全域覆盖、边界明晰、互不重叠 (grid layer OK)")
    return EXIT_ERROR if problems else 0


def cmd_import(args: argparse.Namespace) -> int:
    from console.data import importers

    db = open_db(args.db, seed_demo=False)
    if args.what == "grids":
        summary = importers.import_grids(db, Path(args.file), crs=args.crs, replace=args.replace)
    else:
        summary = importers.import_cameras(db, Path(args.file), crs=args.crs)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_calendar_due(args: argparse.Namespace) -> int:
    from console.domain.calendar import Limit, unconfirmed_warning

    db = open_db(args.db)
    calendar = db.rules().calendar
    start = _parse_time(args.start)
    try:
        limit = Limit.parse(args.limit)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    due = calendar.deadline(start, limit)
    print(due.astimezone(start.tzinfo).isoformat(timespec="minutes"))
    warning = unconfirmed_warning(calendar.unconfirmed_years(start, due))
    if warning:
        _say(warning)
    return 0


def cmd_calendar_set(args: argparse.Namespace) -> int:
    from console.data.calendar_admin import set_day

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise CliError(f"日期 {args.date!r} 无效，应为 YYYY-MM-DD (bad date)") from None
    db = open_db(args.db)
    recomputed = set_day(db, day, workday=args.kind == "workday", note=args.note, by="cli")
    print(f"{day.isoformat()} -> {'工作日 workday' if args.kind == 'workday' else '休息日 holiday'}"
          f"；重算 {recomputed} 个运行中时钟 ({recomputed} running clocks recomputed)")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    import getpass

    from console.data.accounts import add_user

    password = args.password or (getpass.getpass("密码 (password): ") if sys.stdin.isatty() else None)
    if not password:
        raise CliError("需要密码：--password 或在终端输入 (no password given)")
    user = add_user(open_db(args.db), args.name, args.role, password=password, display_name=args.display_name,
                    seat=args.seat, street_code=args.street, department_id=args.department)
    print(f"用户 {user.username} ({user.role}) 已创建")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from console.data.queries import timeline
    from console.domain.workflow import ACTION_LABELS, Action, State, STATE_LABELS

    events = timeline(open_db(args.db), args.case_number)
    if not events:
        raise CliError(f"案件 {args.case_number} 不存在 (no such case)")
    for e in events:
        when = e.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        to_state = STATE_LABELS.get(State(e.to_state), e.to_state)
        label = ACTION_LABELS.get(Action(e.action), e.action)
        note = f"  {e.note}" if e.note else ""
        data = f"  {json.dumps(e.data, ensure_ascii=False)}" if e.data else ""
        print(f"{when}  v{e.version:<3} {label:<8} -> {to_state:<6} {e.operator_name} ({e.role}) @ {e.seat or '-'}{note}{data}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from console.data.export import export_cases

    since = _parse_time(args.since) if args.since else None
    until = _parse_time(args.until) if args.until else None
    db = open_db(args.db)
    count = export_cases(db, Path(args.out), args.format, scope=args.street, since=since, until=until)
    print(f"{count} 件案件已导出到 {args.out}")
    _warn_calendar(db, since=since, until=until)
    return 0


def _warn_calendar(db, **span) -> None:  # noqa: ANN001
    """Figures computed on a year without its holiday notice say so (stderr; stats --json also carries it)."""
    from console.data.calendar_admin import calendar_warning

    warning = calendar_warning(db, **span)
    if warning:
        _say(warning)


def cmd_screenshot(args: argparse.Namespace) -> int:
    from console.app import screenshot

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise CliError(f"尺寸 {args.size!r} 无效，应为 WxH，如 1920x1080 (bad size)") from None
    out = screenshot(open_db(args.db), view=args.view, out=Path(args.out), size=(width, height))
    print(out)
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from console.data.simulate import Simulator

    simulator = Simulator(open_db(args.db), seed=args.seed, actions_per_report=args.actions)
    result = simulator.run(rate=args.rate, duration=args.duration)
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ lives beside console/
    from bench.run import measure_database, run_all

    if args.on:  # a database generated earlier: measure it as it is, generate nothing
        for url in args.on:
            _require_cases(url)
        result = {url: measure_database(url) for url in args.on}
    else:
        result = run_all(quick=args.quick, db_url=args.db, pg_url=args.pg)
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
    return 0


def _require_cases(url: str) -> None:
    """A database to measure must exist and hold cases: never create an empty one to time."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
        raise CliError(f"没有数据库文件 {parsed.database or url!r}：先运行 `urban-console demo --scale metro --db URL` "
                       "(no such database file)")
    db = open_db(url, seed_demo=False)
    try:
        from sqlalchemy import select

        from console.data import models as m

        with db.read() as s:
            has_cases = s.scalar(select(m.Case.id).limit(1)) is not None
        if not has_cases:
            raise CliError(f"数据库 {db!r} 中没有案件，无从测量 (no cases to measure)")
    finally:
        db.dispose()


def _parse_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"时间 {text!r} 无效，应为 ISO 格式如 2025-09-30T16:30 (bad time)") from None
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


# --- parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="urban-console", description="数字城管监督指挥中心 操作台")
    db_opt = argparse.ArgumentParser(add_help=False)
    db_opt.add_argument("--db", metavar="URL", help="数据库 URL (default: $URBAN_CONSOLE_DB or the embedded SQLite file)")
    sub = parser.add_subparsers(dest="command")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:  # noqa: A002
        p = sub.add_parser(name, parents=[db_opt], help=help)
        p.set_defaults(func=func)
        return p

    p = add("run", cmd_run, "launch the console (default)")
    p.add_argument("--seat", default="operator", help="operator | wall | leader | street:<street code>")
    p.add_argument("--user")
    p.add_argument("--screen")

    p = add("demo", cmd_demo, "generate the synthetic demo district")
    p.add_argument("--scale", choices=["small", "city", "metro"], default="city")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--history-days", type=int)
    p.add_argument("--force", action="store_true", help="drop what the database holds first")

    p = add("stats", cmd_stats, "counts of the district and its cases")
    p.add_argument("--json", action="store_true")
    p.add_argument("--street", help="only this street's figures")

    p = add("db", lambda a: a.parser.print_help() or EXIT_USAGE, "database maintenance")
    p.set_defaults(parser=p)
    dbsub = p.add_subparsers(dest="db_command")
    up = dbsub.add_parser("upgrade", parents=[db_opt], help="create or migrate the schema (Alembic)")
    up.set_defaults(func=cmd_db_upgrade)

    p = add("check-grids", cmd_check_grids, "validate the grid layers (database or FILE)")
    p.add_argument("file", nargs="?")
    p.add_argument("--crs", default="wgs84")

    p = add("import", cmd_import, "import grids or cameras")
    p.add_argument("what", choices=["grids", "cameras"])
    p.add_argument("file")
    p.add_argument("--crs", default="wgs84", help="wgs84 | gcj02 | cgcs2000 | cgcs2000-gk3:<central meridian>")
    p.add_argument("--replace", action="store_true", help="replace the current grid layer")

    p = add("calendar", lambda a: a.parser.print_help() or EXIT_USAGE, "work calendar")
    p.set_defaults(parser=p)
    csub = p.add_subparsers(dest="calendar_command")
    due = csub.add_parser("due", parents=[db_opt], help="deadline of START + LIMIT on the work calendar")
    due.add_argument("start")
    due.add_argument("limit")
    due.set_defaults(func=cmd_calendar_due)
    st = csub.add_parser("set", parents=[db_opt], help="local override of one day")
    st.add_argument("date")
    st.add_argument("kind", choices=["workday", "holiday"])
    st.add_argument("--note")
    st.set_defaults(func=cmd_calendar_set)

    p = add("user", lambda a: a.parser.print_help() or EXIT_USAGE, "operator accounts")
    p.set_defaults(parser=p)
    usub = p.add_subparsers(dest="user_command")
    ua = usub.add_parser("add", parents=[db_opt], help="add an operator account")
    ua.add_argument("name")
    ua.add_argument("--role", required=True)
    ua.add_argument("--street")
    ua.add_argument("--seat")
    ua.add_argument("--department", type=int)
    ua.add_argument("--display-name")
    ua.add_argument("--password")
    ua.set_defaults(func=cmd_user_add)

    p = add("audit", cmd_audit, "the timeline of one case")
    p.add_argument("case_number")

    p = add("export", cmd_export, "export cases (never with caller details)")
    p.add_argument("what", choices=["cases"])
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "geojson", "open311"])
    p.add_argument("--out", required=True)
    p.add_argument("--street", help="only this street's cases")
    p.add_argument("--since", help="reported at or after (ISO time)")
    p.add_argument("--until", help="reported before (ISO time)")

    p = add("screenshot", cmd_screenshot, "render a seat offscreen to a PNG")
    p.add_argument("--view", default="operator", help="operator | street:<code>")
    p.add_argument("--out", required=True)
    p.add_argument("--size", default="1920x1080")

    p = add("simulate", cmd_simulate, "live reports and actions, as field staff and departments would")
    p.add_argument("--rate", type=float, required=True, help="reports per second")
    p.add_argument("--duration", type=float, required=True, help="seconds")
    p.add_argument("--actions", type=int, default=1, help="workflow actions per report")
    p.add_argument("--seed", type=int)

    p = add("bench", cmd_bench, "the performance suite")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--pg", metavar="URL", help="PostgreSQL server for the database benchmarks")
    p.add_argument("--on", metavar="URL", action="append",
                   help="only time the open-case queue on this existing database, e.g. a metro demo (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from console.data.commands import CommandError
    from console.data.db import DatabaseUnavailable

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", *(argv or sys.argv[1:])])
    try:
        return args.func(args)
    except (CliError, CommandError, DatabaseUnavailable, FileNotFoundError) as exc:
        print(f"urban-console: 错误 (error): {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
