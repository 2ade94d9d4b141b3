"""`urban-console`: the command line (architecture.md, command-line contract).

Every subcommand takes `--db URL`; the default is $URBAN_CONSOLE_DB, else the
embedded SQLite file in the user data directory, created and seeded with the
demo city on first use.  Errors print one line naming what was wrong and exit
non-zero; nothing is half-written (each command is one transaction).
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class CliError(Exception):
    """One line for the operator; the CLI exits non-zero (130 when `interrupted`)."""

    def __init__(self, message: str, *, interrupted: bool = False) -> None:
        super().__init__(message)
        self.interrupted = interrupted


# --- database opening ---------------------------------------------------------------------


def open_db(url: str | None, *, seed_demo: bool = True, seat: bool = False):
    """Open the database `url` (else $URBAN_CONSOLE_DB) names; only the embedded default is created.

    A named database must exist and carry the schema: a typo in `--db` never creates a
    file, a schema or demo accounts.  `seat`: a seat's connection, every statement bounded.
    """
    from console.data.db import ENV_DB, SEAT_STATEMENT_TIMEOUT_S, Database, default_url

    named = url if url is not None else os.environ.get(ENV_DB) or None
    if named is not None and not named.strip():
        raise CliError("--db 不能为空 (empty database URL)")
    timeout = SEAT_STATEMENT_TIMEOUT_S if seat else None
    db = Database(named or default_url(), create=named is None, statement_timeout=timeout)
    with db.guard():
        _ready(db, named is not None, seed_demo)
    return db


def _ready(db, named: bool, seed_demo: bool) -> None:  # noqa: ANN001
    from console.data.schema import current_revision, head_revision, upgrade

    db.check()
    revision = current_revision(db)
    if revision is None and named:
        raise CliError(f"数据库 {db.where} 尚无表结构：请先运行 `urban-console db upgrade --db URL` 或 `demo` "
                       "(database has no schema)")
    if revision is None:  # the embedded default, first run
        upgrade(db)
        if seed_demo:
            _say("首次运行：正在生成示范城市 (first run: generating the demo city) ...")
            _generate_demo(db, "city", 1, None)
    elif revision != head_revision():
        raise CliError(f"数据库 {db.where} 结构版本 {revision} 落后于 {head_revision()}：请运行 `urban-console db upgrade` "
                       "(schema out of date)")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _generate_demo(db, scale: str, seed: int, history_days: int | None) -> dict:  # noqa: ANN001
    from console.data.demo import generate

    return generate(db, scale=scale, seed=seed, history_days=history_days, progress=_say)


# --- subcommands ------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    _this_run_language(args.lang)
    db = open_db(args.db, seat=True)
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
    from console.data.figures import stats, street_summary

    db = open_db(args.db)
    result = stats(db, scope=args.street)
    _warn_calendar(db)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print("\n".join(_stats_lines(result, street_summary(db, scope=args.street))))
    return 0


def _stats_lines(result: dict, streets: list) -> list[str]:
    """The `stats` summary a person reads: the district, the cases, then one line per street."""
    from console.domain.workflow import STATE_LABELS, State

    cases = result["cases"]
    light = cases["by_light"]
    states = "，".join(f"{STATE_LABELS.get(State(k), k)} {v}" for k, v in sorted(cases["by_state"].items(),
                                                                               key=lambda kv: -kv[1]))
    lines = [
        f"辖区 (district): {result['streets']} 个街道，{result['communities']} 个社区，{result['grids']} 个单元网格，"
        f"{result['area_km2']} km²",
        f"人员与设施 (staff, cameras, departments): 网格人员 {result['staff']}，摄像头 {result['cameras']}，"
        f"处置部门 {result['departments']}",
        f"案件 (cases): 共 {cases['total']} 件；在办亮灯 绿 {light['green']} · 黄 {light['yellow']} · 红 {light['red']}",
        f"按环节 (by state): {states or '无'}",
        "街道 (streets):",
        _row(("编码", "名称", "社区", "网格", "案件", "在办")),
    ]
    lines += [_row((f.code, f.name, f.communities, f.grids, f.cases, f.open)) for f in streets]
    return lines


_STREET_COLUMNS = (11, 16, 6, 7, 8, 7)  # display widths; the first two left-aligned


def _row(cells: Sequence[object]) -> str:
    """One line of the street table, padded by display width (a Chinese character takes two columns)."""
    out = []
    for i, (cell, width) in enumerate(zip(cells, _STREET_COLUMNS)):
        text = str(cell)
        fill = " " * max(1, width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))
        out.append(text + fill if i < 2 else fill + text)
    return "  " + "".join(out).rstrip()


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from console.data.db import Database, default_url
    from console.data.schema import upgrade

    db = Database(args.db or default_url())
    db.check()
    if args.app_role:
        from console.data.roles import check_app_role

        check_app_role(db, args.app_role)
    print(f"schema at revision {upgrade(db)}")
    if args.app_role:
        _print_role_setup(db, args.app_role)
    return 0


def _print_role_setup(db, app_role: str) -> None:  # noqa: ANN001
    from console.data.roles import set_app_role

    setup = set_app_role(db, app_role)
    if setup.created:
        print(f"已创建登录角色 {app_role}，请设置密码：ALTER ROLE {app_role} PASSWORD '...' (created login role)")
    for name in setup.taken_over:
        print(f"属主改为 {setup.owner}: {name} (ownership taken from {app_role})")
    print(f"表结构属主 {setup.owner}；应用角色 {app_role} 只能追加审计记录 (schema owner {setup.owner}, "
          f"app role {app_role}: no UPDATE/DELETE/TRUNCATE on case_events)")


def cmd_check_grids(args: argparse.Namespace) -> int:
    from console.data.importers import check_grids

    db = None if args.file else open_db(args.db)
    problems = check_grids(db, Path(args.file) if args.file else None, crs=args.crs, encoding=args.encoding,
                           sliver_m2=args.sliver_m2)
    for problem in problems:
        print(problem.message)
    errors = sum(p.is_error for p in problems)
    if errors:
        print(f"{errors} 个问题 (problems), {len(problems) - errors} 个警告 (warnings)")
        return EXIT_ERROR
    print("网格图层检查通过：全域覆盖、边界明晰、互不重叠 (grid layer OK)"
          + (f", {len(problems)} 个碎片警告 (sliver warnings)" if problems else ""))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from console.data import importers

    db = open_db(args.db, seed_demo=False)
    if args.what == "grids":
        summary = importers.import_grids(db, Path(args.file), crs=args.crs, replace=args.replace,
                                         encoding=args.encoding, sliver_m2=args.sliver_m2,
                                         district=Path(args.district) if args.district else None)
    else:
        summary = importers.import_cameras(db, Path(args.file), crs=args.crs, encoding=args.encoding,
                                           format=args.format)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_calendar_due(args: argparse.Namespace) -> int:
    from console.domain.calendar import Limit, unconfirmed_warning

    start = _parse_time(args.start)
    try:
        limit = Limit.parse(args.limit)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    calendar = open_db(args.db).rules().calendar
    try:
        due = calendar.deadline(start, limit)
    except OverflowError:
        raise CliError(f"{args.start} 加 {limit} 超出可表示的日期范围 (deadline beyond the year 9999)") from None
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

    from console.data.accounts import add_user, find_department

    password = args.password or (getpass.getpass("密码 (password): ") if sys.stdin.isatty() else None)
    if not password:
        raise CliError("需要密码：--password 或在终端输入 (no password given)")
    db = open_db(args.db)
    department = find_department(db, args.department) if args.department is not None else None
    user = add_user(db, args.name, args.role, password=password, display_name=args.display_name,
                    seat=args.seat, street_code=args.street, department_id=department)
    print(f"用户 {user.username} ({user.role}) 已创建")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from console.data.case_record import timeline
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
    from console.data.export import check_target, export_cases

    since = _parse_time(args.since) if args.since else None
    until = _parse_time(args.until) if args.until else None
    out = Path(args.out)
    check_target(out, overwrite=args.force)  # before opening anything
    db = open_db(args.db)
    count = export_cases(db, out, args.format, scope=args.street, since=since, until=until,
                         overwrite=args.force, raw=args.raw)
    print(f"{count} 件案件已导出到 {args.out}")
    _warn_calendar(db, since=since, until=until)
    return 0


# --- evaluate (issue 10: the figures of evaluation.md) ---------------------------------------

EVALUATE_BY = ("district", "street", "community", "grid", "department", "inspector", "intake", "shift_lead",
               "dispatcher")


def cmd_evaluate(args: argparse.Namespace) -> int:
    from console.data.evaluation import evaluate, evaluation_rules
    from console.domain.evaluation import EvaluationError, parse_period

    if args.period is None or args.by is None:
        raise CliError("evaluate 需要 --period 与 --by (evaluate needs --period and --by; "
                       "or: evaluate rules --show | --set FILE.json)")
    try:
        window = parse_period(args.period)
    except EvaluationError as exc:
        raise CliError(f"--period: {exc}") from None
    db = open_db(args.db)
    rules = evaluation_rules(db)
    try:
        scopes = evaluate(db, args.by, window, street=args.street)
    except EvaluationError as exc:
        raise CliError(f"--street: {exc}") from None
    figures = [row.figure(rules) for row in scopes]
    if args.xlsx:
        _evaluation_xlsx(Path(args.xlsx), figures)
    if args.json:
        print(json.dumps({"period": window.period, "by": args.by, "street": args.street,
                          "start": window.start.isoformat(), "end": window.end.isoformat(), "scopes": figures},
                         ensure_ascii=False))
    else:
        print("\n".join(_evaluation_lines(figures)))
    return 0


def cmd_evaluate_rules(args: argparse.Namespace) -> int:
    """Show the weights, volume bands and grade bounds as JSON, or replace them from a JSON file."""
    from console.data.evaluation import evaluation_rules_data, set_evaluation_rules
    from console.domain.evaluation import EvaluationError

    if args.set is None:
        print(json.dumps(evaluation_rules_data(open_db(args.db)), ensure_ascii=False, indent=2))
        return 0
    try:
        data = json.loads(Path(args.set).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CliError(f"文件 {args.set} 不是有效的 JSON (bad JSON): 第 {exc.lineno} 行 {exc.msg}") from None
    if not isinstance(data, dict):
        raise CliError(f"文件 {args.set} 须是一个 JSON 对象 (expected an object with grades and formulas)")
    db = open_db(args.db)
    try:
        rules = set_evaluation_rules(db, data, by=args.operator)
    except EvaluationError as exc:
        raise CliError(f"{args.set}: {exc}") from None
    print(f"评价规则已更新：{len(rules.formulas)} 个公式，等级 "
          + " ".join(f"{g}≥{bound:g}" for g, bound in rules.grades)
          + f" (evaluation rules set by {args.operator})")
    return 0


_EVALUATION_COLUMNS = ("reported", "valid_reports", "closed", "due_to_close", "close_rate", "on_time_close_rate",
                       "on_time_dispose_rate", "rework_rate", "score", "grade")


def _evaluation_lines(figures: list[dict]) -> list[str]:
    from console.domain.evaluation import format_rate

    def cell(key: str, value: object) -> str:
        if key.endswith("_rate"):
            return format_rate(value)  # "—" for no denominator
        return "—" if value is None else str(value)

    def line(cells: Sequence[object]) -> str:  # code and name padded by display width, then the figures
        head = [str(c) + " " * max(1, w - sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(c)))
                for c, w in zip(cells[:2], (12, 18))]
        return "  " + "".join(head) + "  ".join(f"{c!s:>9}" for c in cells[2:])

    lines = [line(("code", "name", *_EVALUATION_COLUMNS))]
    lines += [line((f["code"], f["name"], *(cell(k, f[k]) for k in _EVALUATION_COLUMNS))) for f in figures]
    return lines


def _evaluation_xlsx(path: Path, figures: list[dict]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "评价"
    keys = list(figures[0]) if figures else ["code", "name"]
    sheet.append(keys)
    for f in figures:
        sheet.append([f[k] for k in keys])  # rates as fractions; empty cell for "—"
    try:
        book.save(path)
    except OSError as exc:
        raise CliError(f"无法写入 {path}: {exc.strerror or exc}") from None


# --- roads (issue 10: 路长制, seed 004) -----------------------------------------------------------

ROADS_TABLES = ("segments", "roads", "streets", "second_chiefs", "units", "departments")
_FLAG_WORDS = {"red": "红旗", "black": "黑旗"}


def cmd_brief(args: argparse.Namespace) -> int:
    """The daily brief (日报) of the district or one street: A4 PDF, and the same tables in Excel."""
    from console.reports import write_brief

    return _report(args, lambda db, out, xlsx: write_brief(db, args.date, out, street=args.street, xlsx=xlsx))


def cmd_bulletin(args: argparse.Namespace) -> int:
    """The weekly or monthly bulletin (周报 / 月报): rankings with grades, 路长制 flags, the worst grids."""
    from console.reports import write_bulletin

    if (args.week is None) == (args.month is None):
        raise CliError("bulletin 需要 --week 或 --month 之一 (bulletin needs exactly one of --week 2026-W48, --month 2026-11)")
    return _report(args, lambda db, out, xlsx: write_bulletin(db, out, week=args.week, month=args.month, xlsx=xlsx))


def _report(args: argparse.Namespace, write: Callable) -> int:
    from console.reports.content import ReportError
    from console.reports.printing import ReportWriteError

    out, xlsx = Path(args.out), Path(args.xlsx) if args.xlsx else None
    try:
        pages = write(open_db(args.db), out, xlsx)
    except (ReportError, ReportWriteError) as exc:
        raise CliError(str(exc)) from None
    print(f"{out} ({pages} 页 pages)" + (f", {xlsx}" if xlsx else ""))
    return 0


def cmd_roads_score(args: argparse.Namespace) -> int:
    from console.data.roads import score_month
    from console.domain.evaluation import EvaluationError
    from console.domain.roads import parse_month

    try:
        parse_month(args.month)
    except EvaluationError as exc:
        raise CliError(f"--month: {exc}") from None
    db = open_db(args.db)
    result = score_month(db, args.month).as_dict()
    if args.xlsx:
        _roads_xlsx(Path(args.xlsx), result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print("\n".join(_roads_lines(result)))
    return 0


def _roads_lines(result: dict) -> list[str]:
    lines = [f"路长制月度考评 {result['month']}"]
    for table in ("streets", "second_chiefs", "units", "departments"):
        lines.append(f"[{table}]")
        for r in result[table]:
            flag = _FLAG_WORDS.get(r["flag"] or "", "")
            lines.append(f"  {r['rank'] or '—':>3}  {r['code']:<12} {r['name']}  {r['score']}  {r['grade']}  "
                         f"{r['group'] or ''} {flag}".rstrip())
    for w in result["accountability"]:
        lines.append(f"问责预警 (accountability): {w['name']} {w['reason']}")
    return lines


def _roads_xlsx(path: Path, result: dict) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table in (*ROADS_TABLES, "accountability", "funding"):
        sheet = book.create_sheet(table)
        rows = result[table]
        keys = list(rows[0]) if rows else ["code", "name"]
        sheet.append(keys)
        for r in rows:
            sheet.append([", ".join(v) if isinstance(v, list) else v for v in (r[k] for k in keys)])
    try:
        book.save(path)
    except OSError as exc:
        raise CliError(f"无法写入 {path}: {exc.strerror or exc}") from None


def cmd_roads_finding_add(args: argparse.Namespace) -> int:
    from console.data.commands import Actor
    from console.data.roads import add_finding

    found_at = _parse_time(args.at) if args.at else None
    db = open_db(args.db)
    actor = Actor(args.by or "路长办", "leader", seat="路长办")
    finding = add_finding(db, actor, segment_id=args.segment, problem=args.problem, found_by=args.found_by,
                          photo=args.photo, found_at=found_at)
    print(f"督导问题 {finding.id} 已记录：{finding.segment} · {finding.problem}")
    if args.to_case:
        ref = _finding_case(db, actor, finding.id, args.category)
        print(f"已转为案件 {ref.number}")
    return 0


def cmd_roads_finding_case(args: argparse.Namespace) -> int:
    from console.data.commands import Actor

    db = open_db(args.db)
    ref = _finding_case(db, Actor(args.by or "路长办", "leader", seat="路长办"), args.finding, args.category)
    print(f"督导问题 {args.finding} 已转为案件 {ref.number}")
    return 0


def _finding_case(db, actor, finding_id: int, category: str | None):  # noqa: ANN001, ANN202
    from console.data.commands import Actor
    from console.data.roads import finding_to_case

    reporter = Actor(actor.name, "intake", seat=actor.seat)  # reported at the hall, as 领导交办
    return finding_to_case(db, reporter, finding_id, category_code=category)


def cmd_roads_finding_list(args: argparse.Namespace) -> int:
    from console.data.roads import list_findings
    from console.domain.evaluation import EvaluationError
    from console.domain.roads import parse_month

    try:
        window = parse_month(args.month) if args.month else None
    except EvaluationError as exc:
        raise CliError(f"--month: {exc}") from None
    db = open_db(args.db)
    rows = list_findings(db, window=window, segment_id=args.segment)
    if args.json:
        print(json.dumps([{"id": f.id, "segment_id": f.segment_id, "segment": f.segment, "street_code": f.street_code,
                           "problem": f.problem, "photo": f.photo, "found_at": f.found_at.isoformat(),
                           "found_by": f.found_by, "recorded_by": f.recorded_by, "case": f.case_number}
                          for f in rows], ensure_ascii=False))
    else:
        for f in rows:
            when = f.found_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
            print(f"  {f.id:>6}  {when}  {f.segment}  {f.problem}  {f.found_by}  {f.case_number or '—'}")
    return 0


def _warn_calendar(db, **span) -> None:  # noqa: ANN001
    """Figures computed on a year without its holiday notice say so (stderr; stats --json also carries it)."""
    from console.data.calendar_admin import calendar_warning

    warning = calendar_warning(db, **span)
    if warning:
        _say(warning)


def cmd_screenshot(args: argparse.Namespace) -> int:
    from console.app import screenshot

    _this_run_language(args.lang)
    width, height = _size(args.size)
    out = screenshot(open_db(args.db, seat=True), view=args.view, out=Path(args.out), size=(width, height))
    print(out)
    return 0


def _this_run_language(lang: str | None) -> None:
    """--lang: this run's language only; make_application installs it (the stored LANGUAGE stays)."""
    from console.widgets.i18n import use_for_this_run

    use_for_this_run(lang)


def cmd_settings(args: argparse.Namespace) -> int:
    """`settings language [en|zh|system]`: show or set the hall's language (the default of every run)."""
    from console.widgets.i18n import SYSTEM, remember_language, stored_language

    if args.value is not None:
        remember_language(args.value)
    print(stored_language() or SYSTEM)
    return 0


SCREENSHOT_MAX = (7680, 4320)  # 8K: anything larger is a typo that would exhaust memory
SCREENSHOT_MIN = (320, 240)
_SIZE_RE = re.compile(r"^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$")


def _size(text: str) -> tuple[int, int]:
    match = _SIZE_RE.match(text)
    size = (int(match[1]), int(match[2])) if match else None
    if size is None or not all(lo <= v <= hi for v, lo, hi in zip(size, SCREENSHOT_MIN, SCREENSHOT_MAX)):
        raise CliError(f"尺寸 {text!r} 无效，应为 WxH，介于 {SCREENSHOT_MIN[0]}x{SCREENSHOT_MIN[1]} 与 "
                       f"{SCREENSHOT_MAX[0]}x{SCREENSHOT_MAX[1]} 之间 (bad size: WxH, at most 7680x4320)")
    return size


def cmd_simulate(args: argparse.Namespace) -> int:
    from console.data.simulate import Simulator, check_pace

    check_pace(args.rate, args.duration)
    simulator = Simulator(open_db(args.db), seed=args.seed, actions_per_report=args.actions)
    _say(f"模拟开始：每秒 {args.rate:g} 件，共 {args.duration:g} 秒 (simulating; Ctrl-C stops and prints the summary)")
    result = simulator.run(rate=args.rate, duration=args.duration, progress=_say)
    print(json.dumps(result.as_dict(), ensure_ascii=False), flush=True)
    if result.stopped:  # the summary above says what was written before it stopped
        raise CliError(f"模拟提前结束，以上为已写入的部分 (simulation stopped): {result.stopped}",
                       interrupted=result.interrupted)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from console.bench.run import measure_database, run_all

    if args.on:  # a database generated earlier: measure it as it is, generate nothing
        for url in args.on:
            _require_cases(url)
        from console.data.db import redact

        result = {redact(url): measure_database(url) for url in args.on}
    else:
        if args.db:  # the SQLite file to generate into must exist and be a database: checked before minutes of work
            _checked(args.db)
        result = run_all(quick=args.quick, db_url=args.db, pg_url=args.pg)
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
    return 0


def _checked(url: str) -> None:
    """A named database opens (never created: only `demo` and `db upgrade` create one)."""
    from console.data.db import Database

    db = Database(url, create=False)
    try:
        db.check()
    finally:
        db.dispose()


def _require_cases(url: str) -> None:
    """A database to measure must exist and hold cases: never create an empty one to time."""
    db = open_db(url, seed_demo=False)  # a named database: never created
    try:
        from sqlalchemy import select

        from console.data import models as m

        with db.read() as s:
            has_cases = s.scalar(select(m.Case.id).limit(1)) is not None
        if not has_cases:
            raise CliError(f"数据库 {db.where} 中没有案件，无从测量 (no cases to measure)")
    finally:
        db.dispose()


def _parse_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"时间 {text!r} 无效，应为 ISO 格式如 2025-09-30T16:30 (bad time)") from None
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


# --- parser -----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse whose complaint is one line, like every other error (the usage stays behind --help)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from console.data.db import redact

        _fail(f"参数有误 (bad argument): {message}；见 `{self.prog} --help`", redact)
        sys.exit(EXIT_USAGE)


def _bounded_int(what: str, lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} {text!r} 不是整数 (not an integer)") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{what} {value} 应在 {lo} 与 {hi} 之间 (out of range {lo}..{hi})")
        return value

    return parse


LANG_HELP = ("界面语言 (UI language) of this run only; default: the hall's choice "
             "(`urban-console settings language`), else the system locale")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="urban-console", description="数字城管监督指挥中心 操作台")
    db_opt = _Parser(add_help=False)
    # SUPPRESS: a sub-command's own --db default must not overwrite the --db given before it
    # (`evaluate --db X rules --show`); main() sets the default once
    db_opt.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help="数据库 URL (default: $URBAN_CONSOLE_DB or the embedded SQLite file)")
    sub = parser.add_subparsers(dest="command")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:  # noqa: A002
        p = sub.add_parser(name, parents=[db_opt], help=help)
        p.set_defaults(func=func)
        return p

    p = add("run", cmd_run, "launch the console (default)")
    p.add_argument("--seat", default="operator", help="operator | wall | leader | street:<street code>")
    p.add_argument("--user")
    p.add_argument("--screen")
    p.add_argument("--lang", choices=["en", "zh"], help=LANG_HELP)

    p = add("demo", cmd_demo, "generate the synthetic demo district")
    p.add_argument("--scale", choices=["small", "city", "metro"], default="city")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--history-days", type=_bounded_int("--history-days", 0, 3650))
    p.add_argument("--force", action="store_true", help="drop what the database holds first")

    p = add("stats", cmd_stats, "counts of the district and its cases")
    p.add_argument("--json", action="store_true")
    p.add_argument("--street", help="only this street's figures")

    p = add("db", lambda a: a.parser.print_help() or EXIT_USAGE, "database maintenance")
    p.set_defaults(parser=p)
    dbsub = p.add_subparsers(dest="db_command")
    up = dbsub.add_parser("upgrade", parents=[db_opt], help="create or migrate the schema (Alembic)")
    up.add_argument("--app-role", metavar="NAME",
                    help="PostgreSQL: the login role the consoles use gets only what they need; "
                         "the role of --db stays the schema owner")
    up.set_defaults(func=cmd_db_upgrade)

    crs_help = "wgs84 | gcj02 | cgcs2000 | cgcs2000-gk3:<central meridian> | EPSG:<code> (default: the .prj, else wgs84)"
    enc_help = "text encoding of the file (default: .cpg, else UTF-8 with or without BOM, else GB18030)"
    sliver_help = "gaps/overlaps up to this many m² are warnings, not errors (default: the city's setting, 5)"
    p = add("check-grids", cmd_check_grids, "validate the grid layers (database or FILE)")
    p.add_argument("file", nargs="?")
    p.add_argument("--crs", help=crs_help)
    p.add_argument("--encoding", help=enc_help)
    p.add_argument("--sliver-m2", type=float, help=sliver_help)

    p = add("import", cmd_import, "import grids or cameras")
    p.add_argument("what", choices=["grids", "cameras"])
    p.add_argument("file")
    p.add_argument("--crs", help=crs_help)
    p.add_argument("--encoding", help=enc_help)
    p.add_argument("--sliver-m2", type=float, help=sliver_help)
    p.add_argument("--format", choices=["csv", "geojson", "wvp"],
                   help="cameras: the file's format (default: by its content; wvp = a WVP-GB28181-pro channel list)")
    p.add_argument("--replace", action="store_true", help="replace the current grid layer (checked as the whole layer)")
    p.add_argument("--district", metavar="FILE",
                   help="with --replace: the district's new boundary (GeoJSON/Shapefile); the layer must cover it")

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
    ua.add_argument("--department", metavar="CODE|ID", help="the department a department account acts for (required)")
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
    p.add_argument("--force", action="store_true", help="replace an existing file (never anything but a regular file)")
    p.add_argument("--raw", action="store_true", help="codes (inspector, urgent, disposing) instead of Chinese labels")

    p = add("screenshot", cmd_screenshot, "render a seat offscreen to a PNG")
    p.add_argument("--view", default="operator", help="operator | leader | street:<code>")
    p.add_argument("--out", required=True)
    p.add_argument("--size", default="1920x1080", help="WxH, at most 7680x4320")
    p.add_argument("--lang", choices=["en", "zh"], help=LANG_HELP)

    p = sub.add_parser("settings", help="the hall's settings on this machine")
    ssub = p.add_subparsers(dest="settings_command", required=True)
    lang = ssub.add_parser("language", help="show or set the hall's UI language (system: follow the locale)")
    lang.add_argument("value", nargs="?", choices=["en", "zh", "system"])
    lang.set_defaults(func=cmd_settings)

    p = add("simulate", cmd_simulate, "live reports and actions, as field staff and departments would")
    p.add_argument("--rate", type=float, required=True, help="reports per second")
    p.add_argument("--duration", type=float, required=True, help="seconds")
    p.add_argument("--actions", type=_bounded_int("--actions", 0, 50), default=1, help="workflow actions per report")
    p.add_argument("--seed", type=int)

    p = add("evaluate", cmd_evaluate, "the figures of evaluation.md for a period, by scope")
    p.add_argument("--period", help="2026-11 | 2026-W47 | 2026-11-30 (Asia/Shanghai); required")
    p.add_argument("--by", choices=EVALUATE_BY, help="required")
    p.add_argument("--street", metavar="CODE", help="only this street's cases (the street seat's figures)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--xlsx", metavar="FILE")
    esub = p.add_subparsers(dest="evaluate_command")
    er = esub.add_parser("rules", parents=[db_opt], help="show or change the weights, volume bands and grade bounds")
    which = er.add_mutually_exclusive_group(required=True)
    which.add_argument("--show", action="store_true", help="print the rules as JSON (what --set takes)")
    which.add_argument("--set", metavar="FILE.json", help="replace them (validated whole; one audited transaction)")
    er.add_argument("--operator", default="cli", help="who changes them, for the change log (default: cli)")
    er.set_defaults(func=cmd_evaluate_rules)

    p = add("brief", cmd_brief, "the daily brief (日报): A4 PDF, optionally the same tables in Excel")
    p.add_argument("--date", required=True, help="2026-11-30 (Asia/Shanghai)")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--street", metavar="CODE", help="only this street (the street seat's brief)")
    p.add_argument("--xlsx", metavar="FILE")

    p = add("bulletin", cmd_bulletin, "the weekly / monthly bulletin (周报 / 月报): A4 PDF, optionally Excel")
    p.add_argument("--week", help="2026-W48 (ISO week)")
    p.add_argument("--month", help="2026-11")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--xlsx", metavar="FILE")

    p = add("roads", lambda a: a.parser.print_help() or EXIT_USAGE, "路长制: monthly scores, flags, 路长办 findings")
    p.set_defaults(parser=p)
    rsub = p.add_subparsers(dest="roads_command")
    rs = rsub.add_parser("score", parents=[db_opt], help="score a month; records its red/black flags (re-run replaces)")
    rs.add_argument("--month", required=True, help="2026-11 (Asia/Shanghai)")
    rs.add_argument("--json", action="store_true")
    rs.add_argument("--xlsx", metavar="FILE")
    rs.set_defaults(func=cmd_roads_score)
    rf = rsub.add_parser("finding", parents=[db_opt], help="路长办 findings (督导问题)")
    rf.set_defaults(func=lambda a: rf.print_help() or EXIT_USAGE)
    fsub = rf.add_subparsers(dest="finding_command")
    fa = fsub.add_parser("add", parents=[db_opt], help="record a finding on a segment")
    fa.add_argument("--segment", type=_bounded_int("--segment", 1, 2**31 - 1), required=True, help="road segment id")
    fa.add_argument("--problem", required=True)
    fa.add_argument("--found-by", required=True, help="who found it (路长办督查组 ...)")
    fa.add_argument("--photo", help="photo file path or blob reference")
    fa.add_argument("--at", help="when it was found (ISO time; default now)")
    fa.add_argument("--by", help="who records it (default 路长办)")
    fa.add_argument("--to-case", action="store_true", help="also turn it into a case at once")
    fa.add_argument("--category", help="the case's category code (with --to-case)")
    fa.set_defaults(func=cmd_roads_finding_add)
    fc = fsub.add_parser("case", parents=[db_opt], help="turn a finding into a case")
    fc.add_argument("finding", type=_bounded_int("finding", 1, 2**63 - 1))
    fc.add_argument("--category")
    fc.add_argument("--by")
    fc.set_defaults(func=cmd_roads_finding_case)
    fl = fsub.add_parser("list", parents=[db_opt], help="list findings")
    fl.add_argument("--month", help="2026-11")
    fl.add_argument("--segment", type=int)
    fl.add_argument("--json", action="store_true")
    fl.set_defaults(func=cmd_roads_finding_list)

    p = add("bench", cmd_bench, "the performance suite")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--pg", metavar="URL", help="PostgreSQL server for the database benchmarks")
    p.add_argument("--on", metavar="URL", action="append",
                   help="only time the open-case queue on this existing database, e.g. a metro demo (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from console.data.db import ENV_DB, redact, url_secrets

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args(["run", *argv])
    except SystemExit as exc:  # --help, or a bad argument already reported in one line
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    args.db = getattr(args, "db", None)
    named = args.db or os.environ.get(ENV_DB)
    secrets = url_secrets(named) if named else ()
    try:
        return args.func(args)
    except CliError as exc:
        _fail(str(exc), redact, secrets)
        return EXIT_INTERRUPTED if exc.interrupted else EXIT_ERROR
    except BrokenPipeError:  # `urban-console stats | head -1`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        _fail("已中断，未完成的操作没有写入 (interrupted; the unfinished command was not written)", redact, secrets)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - every failure is one line; URBAN_CONSOLE_DEBUG=1 shows the traceback
        if os.environ.get("URBAN_CONSOLE_DEBUG"):
            raise
        _fail(_explain(exc, args, named), redact, secrets)
        return EXIT_ERROR


def _explain(exc: Exception, args: argparse.Namespace, named: str | None) -> str:
    """The one line for a failure: ours as written, a file's or the database's named, anything else by its type."""
    from sqlalchemy.exc import SQLAlchemyError

    from console.data.commands import CommandError
    from console.data.db import DatabaseUnavailable, database_problem, default_url, redact
    from console.data.models import ValueTooLong

    if isinstance(exc, (CliError, CommandError, DatabaseUnavailable, ValueTooLong)):
        return str(exc)
    if isinstance(exc, OSError):
        return file_problem(exc)
    if isinstance(exc, UnicodeDecodeError):
        where = getattr(args, "file", None) or "?"
        return f"文件 {where} 不是 UTF-8 编码的文本 (not UTF-8 text): 第 {exc.start} 字节 (byte {exc.start}) {exc.reason}"
    if isinstance(exc, SQLAlchemyError):
        where = redact(named or default_url())
        return database_problem(exc, where) or f"数据库出错 (database error) {where}: {_first_line(exc)}"
    return f"内部错误 (internal error) {type(exc).__name__}: {_first_line(exc)}"


_ERRNO_WORDS = {
    errno.ENOSPC: "磁盘已满", errno.EDQUOT: "磁盘配额已满", errno.EFBIG: "文件过大", errno.EACCES: "没有权限",
    errno.EPERM: "没有权限", errno.ENOENT: "文件或目录不存在", errno.EISDIR: "是一个目录", errno.ENOTDIR: "不是目录",
    errno.EROFS: "只读文件系统", errno.EEXIST: "文件已存在", errno.EIO: "读写错误",
}


def file_problem(exc: OSError) -> str:
    """An OSError as one line naming the file: `无法读写文件 F：磁盘已满 (No space left on device)`."""
    if exc.filename is None and exc.strerror is None:
        return str(exc) or type(exc).__name__  # raised with our own message
    word = _ERRNO_WORDS.get(exc.errno or 0, "读写失败")
    return f"无法读写文件 {exc.filename or '?'}：{word} ({exc.strerror or exc})"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(message: str, redact: Callable[..., str], secrets: Sequence[str] = ()) -> None:
    line = " | ".join(part.strip() for part in str(message).splitlines() if part.strip())
    line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)  # a NUL or ESC in an argument stays visible
    if len(line) > 600:  # an argument of a megabyte is named, not echoed whole
        line = f"{line[:580]}…（共 {len(line)} 字 / {len(line)} characters）"
    print(f"urban-console: 错误 (error): {redact(line, secrets)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
