"""A real webhook receiver on 127.0.0.1: an http.server thread that checks
every request's signature with the ``standardwebhooks`` package, as an
integrator's receiver would."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self):
        self.secret = None  # the endpoint's, once created
        self.answer = 200  # what the next requests get
        self.received = []  # verified payloads, in order
        self.refused = []  # requests whose signature did not verify
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                except WebhookVerificationError as error:
                    receiver.refused.append(str(error))
                    self.send_response(400)
                else:
                    payload["_webhook_id"] = headers["webhook-id"]
                    if 200 <= receiver.answer < 300:
                        receiver.received.append(payload)
                    self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def types(self) -> list[str]:
        return [p["type"] for p in self.received]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def endpoint(admin_client, receiver):
    """An endpoint of the receiver's for every event, its secret told to it."""
    created = admin_client.post(
        "/webhooks/endpoints/", {"url": receiver.url, "event_types": ["*"]}
    ).json()
    receiver.secret = created["secret"]
    return created
