"""The `crm` command line: stack, migrate, serve, worker, seed-demo, billing, settings and run."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from infra.settings import SettingsError, describe, get_settings
from infra.stack import Stack

SERVICES = ("identity", "contacts", "pipeline", "partners", "reporting", "webhooks")


def cmd_stack(args: argparse.Namespace) -> int:
    stack = Stack(Path(os.environ.get("CRM_DATA_DIR", ".crm-data")).resolve())
    if args.action == "up":
        started = stack.up()
        print("started: " + (", ".join(started) or "nothing (already running)"))
    elif args.action == "down":
        stopped = stack.down()
        print("stopped: " + (", ".join(stopped) or "nothing"))
    for name, status in stack.status().items():
        print(f"  {name:9} {status}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from infra.database import migrate

    tables = asyncio.run(migrate(get_settings()))
    print(f"migrated; row-level security on {len(tables)} tenant tables: {', '.join(tables)}")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from infra.seed import seed_demo

    login = asyncio.run(seed_demo(get_settings()))
    print(f"demo tenant ready; log in as {login.email} / {login.password}")
    return 0


def cmd_support_create_user(args: argparse.Namespace) -> int:
    from infra.problems import ProblemError
    from services.identity.service.support import create_support_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("crm: the passwords differ", file=sys.stderr)
            return 1
    if len(password) < 12:
        print("crm: a support password needs at least 12 characters", file=sys.stderr)
        return 1
    try:
        staff_id = asyncio.run(create_support_user(args.email, password, args.full_name))
    except ProblemError as exc:
        print(f"crm: {exc.detail_en}", file=sys.stderr)
        return 1
    print(f"support user {args.email} created: {staff_id}")
    return 0


def cmd_billing_set_plan(args: argparse.Namespace) -> int:
    from infra.problems import ProblemError
    from services.identity.service.billing_events import set_plan_by_slug

    try:
        asyncio.run(set_plan_by_slug(args.tenant_slug, args.plan, args.period))
    except ProblemError as exc:
        print(f"crm: {exc.detail_en}", file=sys.stderr)
        return 1
    print(f"{args.tenant_slug} is on the {args.plan} plan ({args.period})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from infra.serve import serve

    serve(args.service, host=args.host, port=args.port)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from infra.jobs import run_worker

    run_worker(args.queues or None, with_scheduler=args.with_scheduler, burst=args.burst)
    return 0


def cmd_webhooks_reap(args: argparse.Namespace) -> int:
    import datetime

    from webhooks.jobs import reap

    reaped = asyncio.run(reap(datetime.timedelta(seconds=args.grace_seconds)))
    print(f"re-queued {reaped} deliveries")
    return 0


def cmd_reporting_rebuild(args: argparse.Namespace) -> int:
    from infra.jobs import for_each_active_tenant, queue

    job = queue("default").enqueue(for_each_active_tenant, "services.reporting.jobs:rebuild_rollups")
    print(f"enqueued {job.id}: every working tenant's roll-ups are rebuilt by the workers")
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    from infra.schedule import run_scheduler

    run_scheduler(poll_seconds=args.poll_seconds, once=args.once)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    for name, default in describe():
        print(f"{name:32} default {default}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from infra.run import run_everything

    return run_everything(port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm", description="Hosted CRM: local stack, services and jobs.")
    commands = parser.add_subparsers(dest="command", required=True)

    stack = commands.add_parser("stack", help="start, stop or show the local PostgreSQL, Redis and S3")
    stack.add_argument("action", choices=["up", "down", "status"])
    stack.set_defaults(func=cmd_stack)

    migrate = commands.add_parser("migrate", help="run migrations as the owner role and apply row-level security")
    migrate.set_defaults(func=cmd_migrate)

    seed = commands.add_parser("seed-demo", help="create (or refresh) the demo tenant with a little data")
    seed.set_defaults(func=cmd_seed_demo)

    support = commands.add_parser("support", help="platform support accounts")
    support_commands = support.add_subparsers(dest="support_command", required=True)
    create_user = support_commands.add_parser("create-user", help="create a support account (prompts for a password)")
    create_user.add_argument("email")
    create_user.add_argument("--full-name", default="")
    create_user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create_user.set_defaults(func=cmd_support_create_user)

    billing = commands.add_parser("billing", help="plans and subscriptions")
    billing_commands = billing.add_subparsers(dest="billing_command", required=True)
    set_plan = billing_commands.add_parser("set-plan", help="put a tenant on a plan (active from now; no Stripe call)")
    set_plan.add_argument("tenant_slug")
    set_plan.add_argument("plan", help="trial, standard, pro, enterprise, or a plan added since")
    set_plan.add_argument("--period", choices=["monthly", "yearly"], default="monthly")
    set_plan.set_defaults(func=cmd_billing_set_plan)

    serve = commands.add_parser("serve", help="serve one service, or all of them and the admin UI on one port")
    serve.add_argument("service", choices=["all", *SERVICES])
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser("worker", help="run an rq worker")
    worker.add_argument("--queues", nargs="*", help="queues to listen on (default: all)")
    worker.add_argument("--with-scheduler", action="store_true", help="also run rq's scheduler")
    worker.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    worker.set_defaults(func=cmd_worker)

    webhooks = commands.add_parser("webhooks", help="webhook maintenance")
    webhooks_commands = webhooks.add_subparsers(dest="webhooks_command", required=True)
    reaper = webhooks_commands.add_parser(
        "reap", help="re-queue deliveries and outbox rows no job carries (run it every minute, e.g. from cron)")
    reaper.add_argument("--grace-seconds", type=float, default=60, help="how overdue work must be to count as lost")
    reaper.set_defaults(func=cmd_webhooks_reap)

    reporting = commands.add_parser("reporting", help="reporting maintenance")
    reporting_commands = reporting.add_subparsers(dest="reporting_command", required=True)
    rebuild = reporting_commands.add_parser(
        "rebuild", help="rebuild every tenant's roll-ups from the source rows (run by the workers)")
    rebuild.set_defaults(func=cmd_reporting_rebuild)

    scheduler = commands.add_parser("scheduler", help="enqueue periodic work when due (several may run at once)")
    scheduler.add_argument("--poll-seconds", type=float, default=30, help="how often to check what is due")
    scheduler.add_argument("--once", action="store_true", help="check once and stop")
    scheduler.set_defaults(func=cmd_scheduler)

    settings = commands.add_parser("settings", help="list every CRM_ setting with its default")
    settings.set_defaults(func=cmd_settings)

    run = commands.add_parser("run", help="stack up, migrate, seed, then serve everything until Ctrl-C")
    run.add_argument("--port", type=int, default=None)
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command not in ("stack", "settings"):
            get_settings()  # fail fast, naming the variable at fault
        return int(args.func(args))
    except SettingsError as exc:
        print(f"crm: bad setting: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
