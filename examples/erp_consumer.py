"""An example ERP-side receiver of CRM webhooks: verifies each message with the `standardwebhooks` package and
handles each `webhook-id` once, however often it arrives (delivery is at least once).

    CRM_WEBHOOK_SECRETS="whsec_..." python examples/erp_consumer.py --port 8080 --db erp-webhooks.sqlite

`CRM_WEBHOOK_SECRETS` holds one secret, or two separated by a space while a rotation is under way (the CRM signs
with both for 24 hours, so either verifies). Answers: 204 when handled (or already handled), 400 when the
signature or timestamp does not verify (the CRM retries, then gives up). Handling and remembering the id happen
in one SQLite transaction, so a crash between them cannot lose or double an event.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SCHEMA = """
CREATE TABLE IF NOT EXISTS handled_message (webhook_id TEXT PRIMARY KEY, type TEXT NOT NULL, timestamp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customer (id TEXT PRIMARY KEY, code TEXT, name TEXT, tax_code TEXT,
                                     deleted INTEGER NOT NULL DEFAULT 0);
"""


def verify(secrets: list[str], body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """The envelope, once a secret in use verifies it; raises WebhookVerificationError otherwise."""
    for secret in secrets[:-1]:
        try:
            return dict(Webhook(secret).verify(body, headers))
        except WebhookVerificationError:
            continue
    return dict(Webhook(secrets[-1]).verify(body, headers))


def handle(db: sqlite3.Connection, webhook_id: str, envelope: dict[str, Any]) -> bool:
    """Apply the event to the ERP's data unless this `webhook-id` was handled before; whether it was new."""
    with db:  # one transaction: the change and the id it came with
        seen = db.execute("INSERT OR IGNORE INTO handled_message VALUES (?, ?, ?)",
                          (webhook_id, envelope["type"], envelope["timestamp"]))
        if seen.rowcount == 0:
            return False
        data = envelope["data"]
        if envelope["type"] in ("customer.created", "customer.updated"):
            db.execute("INSERT INTO customer (id, code, name, tax_code) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
                       "SET code = excluded.code, name = excluded.name, tax_code = excluded.tax_code",
                       (data["id"], data.get("code"), data.get("name"), data.get("tax_code")))
        elif envelope["type"] == "customer.deleted":
            db.execute("UPDATE customer SET deleted = 1 WHERE id = ?", (data["id"],))
        # Other types (quotation.accepted, contract.signed, ...) go to the sales module the same way; a type the
        # ERP does not know yet is remembered and acknowledged, so the CRM does not retry it.
    return True


def serve(port: int, db_path: str, secrets: list[str]) -> ThreadingHTTPServer:
    db = sqlite3.connect(db_path, check_same_thread=False)
    db.executescript(SCHEMA)
    lock = threading.Lock()  # one writer at a time on the SQLite connection

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                envelope = verify(secrets, body, headers)
            except WebhookVerificationError:
                self._answer(400, {"error": "signature does not verify"})
                return
            with lock:
                new = handle(db, headers["webhook-id"], envelope)
            self._answer(204 if new else 200, None if new else {"duplicate": headers["webhook-id"]})

        def _answer(self, status: int, payload: dict[str, str] | None) -> None:
            body = json.dumps(payload).encode() if payload else b""
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            if body:
                self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--db", default="erp-webhooks.sqlite")
    args = parser.parse_args()
    secrets = os.environ.get("CRM_WEBHOOK_SECRETS", "").split()
    if not secrets:
        parser.error("set CRM_WEBHOOK_SECRETS to the endpoint's whsec_ secret")
    server = serve(args.port, args.db, secrets)
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
