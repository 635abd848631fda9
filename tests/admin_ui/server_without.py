"""The whole product less one service, as a real process (tests only): for the shell, that service is down.

    python -m tests.admin_ui.server_without contacts --port 8123
"""

from __future__ import annotations

import argparse

import uvicorn

from admin_ui.app import create_app as create_shell
from infra.serve import SERVICES, Dispatcher, service_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("down", choices=SERVICES)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = Dispatcher({name: service_app(name) for name in SERVICES if name != args.down}, create_shell())
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="on")


if __name__ == "__main__":
    main()
