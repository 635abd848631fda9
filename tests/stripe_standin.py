"""A local stand-in for Stripe's API, at the HTTP boundary: the `stripe` SDK is pointed at it (`api_base`).

It records every request the SDK sends (path, headers, form fields) and answers the few endpoints billing
uses the way Stripe does, including idempotency: the same `Idempotency-Key` gets the first answer again.
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import msgspec

OBJECTS = {  # path -> (id prefix, object, page the browser is sent to)
    "/v1/customers": ("cus", "customer", None),
    "/v1/checkout/sessions": ("cs_test", "checkout.session", "https://checkout.stripe.test/c/pay/"),
    "/v1/billing_portal/sessions": ("bps", "billing_portal.session", "https://billing.stripe.test/p/session/"),
}


def _not_found(message: str) -> tuple[int, bytes]:
    return 404, json.dumps({"error": {"type": "invalid_request_error", "message": message}}).encode()


class StripeRequest(msgspec.Struct, frozen=True):
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]  # Stripe's flattened form keys: `line_items[0][price]`

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


class StripeStandIn:
    def __init__(self) -> None:
        self.requests: list[StripeRequest] = []
        self.subscriptions: dict[str, dict[str, Any]] = {}  # tests put the subscriptions Stripe would hold here
        self._answers: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                request = StripeRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                        dict(parse_qsl(body, keep_blank_values=True)))
                status, answer = standin._answer(request)
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def _answer(self, request: StripeRequest) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(request)
            key = request.idempotency_key
            if key and key in self._answers:
                return 200, self._answers[key]
            if request.path.startswith("/v1/subscriptions/"):
                return self._subscription(request)
            if request.path not in OBJECTS:
                return _not_found(f"Unrecognized URL (POST: {request.path})")
            prefix, kind, page = OBJECTS[request.path]
            object_id = f"{prefix}_{next(self._ids):06d}"
            answer = {"id": object_id, "object": kind, "livemode": False, "metadata": {}}
            answer.update({k: v for k, v in request.form.items() if "[" not in k})
            if page:
                answer["url"] = page + object_id
            encoded = json.dumps(answer).encode()
            if key:
                self._answers[key] = encoded
            return 200, encoded

    def _subscription(self, request: StripeRequest) -> tuple[int, bytes]:
        """Retrieve, or update an item's quantity, of a subscription a test put in `subscriptions`."""
        subscription = self.subscriptions.get(request.path.removeprefix("/v1/subscriptions/"))
        if subscription is None:
            return _not_found("No such subscription")
        if request.method == "POST":
            for item in subscription["items"]["data"]:
                if item["id"] == request.form.get("items[0][id]"):
                    item["quantity"] = int(request.form["items[0][quantity]"])
        answer = json.dumps(subscription).encode()
        if request.idempotency_key:
            self._answers[request.idempotency_key] = answer
        return 200, answer

    def sent(self, path: str) -> list[StripeRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def stop(self) -> None:
        self.server.shutdown()
