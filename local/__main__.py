"""``python -m local``: start the local cloud and serve it until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import warnings
from pathlib import Path

from local.cloud import CloudOptions, LocalCloud
from local.reloader import RELOAD_CODE_FLAG


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local", description="Run Grounded's template.yaml locally.")
    parser.add_argument("--template", type=Path, default=Path("template.yaml"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--no-schedules", action="store_true", help="do not tick schedules (fire them on demand)")
    parser.add_argument("--no-demo", action="store_true", help="do not create the demo org, key and agent")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument(
        "--state-dir", type=Path, default=Path(".grounded/state"), help="where data is kept across restarts"
    )
    parser.add_argument("--ephemeral", action="store_true", help="keep nothing: data lives in memory until stop")
    parser.add_argument(
        "--reload",
        action="store_true",
        help="start again when functions/, shared/, statemachines/ or the template change",
    )
    parser.add_argument(RELOAD_CODE_FLAG, action="store_true", help=argparse.SUPPRESS)  # given by --reload
    args = parser.parse_args(argv)
    if args.reload:
        from local.reloader import run_with_reload

        given = list(sys.argv[1:] if argv is None else argv)
        raise SystemExit(run_with_reload([arg for arg in given if arg != "--reload"], args.template.resolve()))

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("botocore", "mangum", "werkzeug", "httpx"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(args.log_level)))
    logging.getLogger("moto").setLevel(logging.ERROR)  # it warns about types it skips (alarms)
    warnings.filterwarnings("ignore", module="moto")  # unsupported types it skips: see docs/local-cloud.md
    options = CloudOptions(
        host=args.host,
        port=args.port,
        region=args.region,
        tick_schedules=not args.no_schedules,
        parameters={"LogLevel": args.log_level},
        state_dir=None if args.ephemeral else args.state_dir,
        reload_code=args.reload_code,
    )
    cloud = LocalCloud(args.template, options).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    if options.state_dir is not None:
        print(f"Data kept in {options.state_dir} ({cloud.restored.summary()} restored)", flush=True)
    if not args.no_demo:
        from local.demo import keep_demo, write_env

        demo = keep_demo(cloud.url, options.state_dir)
        env_file = Path(".grounded/demo.env")
        write_env(demo, env_file)
        print(demo.banner(env_file, kept=options.state_dir is not None), flush=True)
    dashboard = Path(args.template).resolve().parent / "web" / "dist" / "index.html"
    if dashboard.exists():
        print(f"Dashboard: {cloud.url}/  (log in with the demo login above)", flush=True)
    else:
        print("Dashboard: not built. Install Node.js >= 20 and run `make web` (make dev builds it when Node is there).")
    print(
        f"Grounded local cloud ready on {cloud.url}"
        f"  (health: {cloud.url}/api/health, status: {cloud.url}/_local/status)",
        flush=True,
    )
    stopped.wait()
    cloud.stop()


if __name__ == "__main__":
    main()
