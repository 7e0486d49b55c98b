"""A local stand-in for data.gouv.fr: its API's answer for the dataset, and the files it lists.

``http.server`` in a thread, on 127.0.0.1 and a free port. The API answers the shape udata
gives (``resources``: ``title``, ``url``, ``filesize``, ``last_modified``, ``checksum``); each
file is served with ``ETag``, ``Accept-Ranges`` and ``Range``/``If-Range`` as a storage host
does. A test sets how a path misbehaves (``faults``) and reads the requests it got.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from registry_exports import lineage_fiches, write_export

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

API_PATH = "/api/1/datasets/5eebbc067a14b6fecc9c9976/"


class Server:
    """The server's state: what it serves, how it misbehaves, and what it was asked."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.resources: list[dict[str, Any]] = []
        self.api_body: bytes | None = None  # in place of the listing (not JSON, …)
        # path -> the faults of its next requests, each used once: "cut" (half the body, then
        # the connection closes), "stall" (half the body, then nothing for `stall` seconds),
        # an HTTP status such as 503 or 404, or a redirect: the pair "redirect" and its URL.
        self.faults: dict[str, list[Any]] = {}
        self.always: dict[str, Any] = {}  # path -> a fault used on every request
        self.stall = 5.0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self.thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def api(self) -> str:
        return self.url + API_PATH

    def start(self) -> Server:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def publish(
        self,
        name: str,
        content: bytes,
        *,
        checksum: str | None = "sha1",
        filesize: int | None = -1,
        listed_checksum: str | None = None,
        url: str | None = None,
    ) -> None:
        """Serve ``content`` as ``/files/NAME`` and list it (``filesize`` -1: the true size)."""
        self.files[f"/files/{name}"] = content
        resource: dict[str, Any] = {
            "id": f"id-{name}",
            "title": name,
            "url": url or f"{self.url}/files/{name}",
            "filesize": len(content) if filesize == -1 else filesize,
            "last_modified": "2026-12-01T03:12:45.000000+00:00",
            "format": "zip",
        }
        if checksum is not None:
            kind = "sha256" if checksum == "sha2" else checksum
            value = listed_checksum or hashlib.new(kind, content).hexdigest()
            resource["checksum"] = {"type": checksum, "value": value}
        self.resources = [r for r in self.resources if r["title"] != name] + [resource]

    def requested(self, path: str) -> list[dict[str, str]]:
        """The headers of each request for ``path``."""
        return [headers for p, headers in self.requests if p == path]


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:  # noqa: C901  (one class)
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.requests.append((path, dict(self.headers.items())))
            queue = server.faults.get(path) or []
            fault = queue.pop(0) if queue else server.always.get(path)
            if isinstance(fault, tuple) and fault[0] == "redirect":
                self.send_response(302)
                self.send_header("Location", fault[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if isinstance(fault, int):
                self._send(fault, b"error", "text/plain")
                return
            if path == API_PATH:
                body = server.api_body
                if body is None:
                    body = json.dumps(
                        {"id": "5eebbc067a14b6fecc9c9976", "resources": server.resources}
                    ).encode()
                self._send(200, body, "application/json")
                return
            if path not in server.files:
                self._send(404, b"not found", "text/plain")
                return
            self._file(server.files[path], fault)

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _file(self, content: bytes, fault: object) -> None:
            etag = '"' + hashlib.sha1(content).hexdigest() + '"'  # noqa: S324  (an ETag)
            start = 0
            wanted = self.headers.get("Range")
            if wanted and self.headers.get("If-Range", etag) == etag:
                start = int(wanted.removeprefix("bytes=").split("-")[0])
            body = content[start:]
            self.send_response(206 if start else 200)
            if start:
                self.send_header(
                    "Content-Range", f"bytes {start}-{len(content) - 1}/{len(content)}"
                )
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", etag)
            self.end_headers()
            if fault in ("cut", "stall"):
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                if fault == "stall":
                    time.sleep(server.stall)
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


def export_zip(tmp_path: Path, day: str = "2026-12-01", *, lineage: bool = True) -> bytes:
    """The bytes of ``export-fiches-rncp-v4-1-DAY.zip``: the sample around a made-up lineage."""
    xml = tmp_path / f"export_fiches_RNCP_V4_1_{day}.xml"
    write_export(xml, lineage_fiches() if lineage else [])
    archive = tmp_path / f"export-fiches-rncp-v4-1-{day}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(xml, xml.name)
    return archive.read_bytes()


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` and its bytes (empty when it does not exist).

    ``directory`` may be a symbolic link (the import's directory swap): where it points counts.
    """
    if not directory.exists():
        return {}
    link = {"->": str(directory.resolve()).encode()}
    return link | {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def serving() -> Iterator[Server]:
    server = Server().start()
    try:
        yield server
    finally:
        server.stop()
