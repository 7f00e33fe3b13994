"""Wait until every service URL given accepts a TCP connection (and answers,
for MySQL and Redis); exit 1 with a message naming the one that did not."""

import argparse
import socket
import sys
import time
from urllib.parse import urlsplit

DEFAULT_PORTS = {"mysql": 3306, "redis": 6379, "postgres": 5432}


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=2) as conn:
            if parts.scheme == "redis":
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
            if parts.scheme == "mysql":
                return len(conn.recv(4)) == 4  # the server's greeting packet
            return True
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    for url in args.urls:
        while not reachable(url):
            if time.monotonic() > deadline:
                print(
                    f"unreachable: {urlsplit(url).scheme}://{urlsplit(url).hostname}:"
                    f"{urlsplit(url).port}",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
