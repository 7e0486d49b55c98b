"""``titre-mercd registry update``: the registry's newest export, fetched, kept and imported.

1. data.gouv.fr's API lists the dataset's resources; the newest RNCP XML export is the one whose
   title reads ``export-fiches-rncp-v4-1-AAAA-MM-JJ.zip`` with the latest date.
2. It is streamed into the user's cache directory (platformdirs' ``user_cache_dir``), resumed
   where an earlier run stopped (same title and checksum only), and checked against the size
   and the checksum the API gives. The verified zip is kept, and only it: a later update that
   finds the same file downloads nothing.
3. It is imported, as ``registry import`` does, into ``user_data_dir("titre-mercd")/data``
   (built aside, checked, swapped in whole: :mod:`._directory_swap`).

A lock in the cache directory keeps two updates from running at once. Whatever fails, the data
in use stays as it was, and nothing is left outside the cache (where a partial download waits
to be resumed).

The network goes through ``urllib``: one streamed GET needs no HTTP client package, and it
honours ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``. Its defaults are tightened: only ``http``
and ``https`` are opened, a redirect never goes from ``https`` down to ``http``, TLS is always
verified (``SSL_CERT_FILE`` names the authorities to trust, for a company's proxy), and connect
and read timeouts are separate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import attrs

from ._loading import APP_NAME, UPDATE_FOLDER
from ._output import lock
from .exceptions import RegistryExportError, RegistryUpdateError

if TYPE_CHECKING:
    import http.client
    import ssl
    import urllib.request
    from collections.abc import Iterator

    from ._loading import Dataset
    from ._registry_import import ImportResult

__all__ = ["DEFAULT_API", "UpdateResult", "update_data"]

#: The API URL of France compétences' dataset on data.gouv.fr (udata's API, version 1).
DEFAULT_API = "https://www.data.gouv.fr/api/1/datasets/5eebbc067a14b6fecc9c9976/"
_TITLE = re.compile(r"^export-fiches-rncp-v4-1-(\d{4}-\d{2}-\d{2})\.zip$")
# The hashes udata's resource model allows (udata/core/dataset/constants.py: sha1, its
# default, sha2, sha256, md5, crc), and sha512 which later versions allow; "sha2" is sha256.
_HASHES = {"sha1": "sha1", "sha2": "sha256", "sha256": "sha256", "sha512": "sha512", "md5": "md5"}
TRIES = 3  # a timeout or a 5xx answer is tried again, up to this many tries in all
BACKOFF = 1.0  # seconds to wait before the second try; doubled before each later one
TIMEOUT = (10.0, 60.0)  # seconds: to connect, and without a byte while reading
_CHUNK = 1 << 20
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_LOCK = "update.lock"


@attrs.frozen
class UpdateResult:
    """What :func:`update_data` did: the export it used, and what changed in the data in use.

    ``new_versions`` and ``changed_versions`` compare the data now in use with the data in use
    before (the previous update, or the shipped data); ``new_fiches`` and ``changed_fiches``
    are the fiches of the lineage whose content differs from the previous update's copy.
    ``changed`` is false when the update in use was already built from this export.
    """

    export: str  # the export's file name
    export_date: dt.date
    downloaded: bool  # whether the export was fetched over the network in this run
    changed: bool
    data_version: str  # the DATA_VERSION now in use
    previous_data_version: str  # the DATA_VERSION in use before
    directory: str  # the user's data directory the update is in
    new_versions: tuple[str, ...]
    changed_versions: tuple[str, ...]
    new_fiches: tuple[str, ...]
    changed_fiches: tuple[str, ...]
    added: tuple[str, ...]  # facts the registry adds to shipped versions
    notes: tuple[str, ...]


@attrs.frozen
class _Resource:
    """One resource of the dataset, as the API lists it."""

    title: str
    url: str
    date: dt.date
    filesize: Optional[int]
    last_modified: Optional[str]
    checksum: Optional[tuple[str, str]]  # (hashlib name, lower-case hex value)

    @property
    def identity(self) -> dict[str, Any]:
        """What makes two listings the same file: title and checksum, else size and date."""
        if self.checksum is not None:
            return {"title": self.title, "checksum": list(self.checksum)}
        return {"title": self.title, "filesize": self.filesize, "last_modified": self.last_modified}


def update_data(  # noqa: PLR0913  (keyword-only options)
    *,
    api: str = DEFAULT_API,
    export: str | os.PathLike[str] | None = None,
    export_date: dt.date | None = None,
    offline: bool = False,
    progress: bool | None = None,
    timeout: float | tuple[float, float] = TIMEOUT,
) -> UpdateResult:
    """Fetch the registry's newest export and make it the data every later answer comes from.

    What ``titre-mercd registry update`` does: ask data.gouv.fr's API (``api``: the dataset's
    API URL, or a mirror answering the same shape) for the newest RNCP XML export, download it
    into the user's cache directory (resuming an interrupted download, checking its size and
    checksum; a file already verified there is not downloaded again), and import it into the
    user's data directory. ``export``: a file you already have (the XML or its zip), used
    instead, with no network (``export_date`` when its name does not give its date);
    ``offline``: import the zip kept in the cache again (after an upgrade of the package).
    ``timeout``: seconds to connect and to wait for data (one number for both, or a pair).

    Then, in every new process, and in this one when it answers by the search rule, the data
    in use is that update (see :func:`titre_mercd.use_data`).

    Raises:
        RegistryUpdateError: the network, the server, the download or the disk failed, or
            another update is running; the message names what failed and what to do.
        ExportLacksLineageError: the export holds no fiche of this title's lineage.
        RegistryExportError: the file is not an RNCP export, or a broken or hostile one.
        DataError: what the import built does not pass the loader's checks.

    In each case nothing changed: the data in use stays as it was.
    """
    import platformdirs  # only here: it costs start-up, which the rest of the package spares

    from ._loading import _package_data, load, user_data_directory
    from ._referentiel import refresh

    cache = Path(platformdirs.user_cache_dir(APP_NAME))
    # Where the load path looks, computed as platformdirs does (an older platformdirs, the
    # one Python 3.9 gets, would take a relative XDG_DATA_HOME that the load path ignores).
    home = Path(user_data_directory())
    connect, read = (timeout, timeout) if isinstance(timeout, (int, float)) else timeout
    home_made = not home.exists()
    for where in (cache, home):
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # noqa: PERF203  (two directories)
            raise _disk_error(exc, where, "create") from None
    with _lock(cache / _LOCK):  # no other update writes in home while it is held
        try:
            shipped = load(_package_data())
            target = home / UPDATE_FOLDER
            previous = _previous(target, shipped)
            downloaded = False
            if export is not None:
                path = Path(os.fspath(export))
            elif offline:
                path = _kept_export(cache)
            else:
                opener = _Opener(connect, read)
                resource = _newest_export(opener, api)
                kept = _kept(cache, resource)
                if kept is not None and _built_from(previous, kept.name, shipped):
                    return _report(previous, target, kept.name, resource.date, downloaded=False)
                if kept is None:
                    kept = _download(opener, resource, cache, progress=progress)
                    downloaded = True
                path = kept
            result = _import(path, target, export_date, progress=progress, cache=cache)
            refresh()
        finally:
            if home_made:  # made for this update: a refused or failed one leaves nothing there
                with contextlib.suppress(OSError):
                    home.rmdir()  # only while empty
    return _report(
        previous, target, result.export, result.export_date, downloaded=downloaded, imported=result
    )


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """Hold ``update.lock`` in the cache directory; another update holding it is an error.

    The import holds its own lock on the data directory (:mod:`._directory_swap`); this one
    keeps a second update from writing the same download as well.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _disk_error(exc, path, "open") from None
    try:
        try:
            lock(fd)
        except OSError:
            raise RegistryUpdateError(
                f"another 'titre-mercd registry update' is running (it holds {path}): "
                "wait for it to end; the data in use is unchanged"
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


# ---------------------------------------------------------------- the API


class _Opener:
    """GET requests over http and https only, with timeouts, retries and the package's name."""

    def __init__(self, connect: float, read: float) -> None:
        import ssl
        import urllib.request

        from . import __version__

        self.connect = connect
        self.read = read
        # Always verified. SSL_CERT_FILE is honoured by OpenSSL's default paths already; named
        # here too, so that it is the bundle used wherever Python's defaults come from.
        context = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or None)
        self._opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),  # HTTP_PROXY, HTTPS_PROXY and NO_PROXY
            _handler(read, context),
            urllib.request.HTTPDefaultErrorHandler(),
            _redirect_handler(),
            urllib.request.HTTPErrorProcessor(),
        ):
            self._opener.add_handler(handler)
        self.user_agent = (
            f"{APP_NAME}/{__version__} (Python-urllib/{sys.version_info[0]}.{sys.version_info[1]})"
        )

    def open(self, url: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        """The answer to a GET of ``url``; ``RegistryUpdateError`` after the retries."""
        import urllib.request

        _check_scheme(url, "URL")
        for attempt in range(TRIES):
            request = urllib.request.Request(  # noqa: S310  (http and https only: checked, and the only handlers)
                url, headers={"User-Agent": self.user_agent, **(headers or {})}
            )
            try:
                return self._opener.open(request, timeout=self.connect)  # type: ignore[no-any-return]
            except Exception as exc:  # noqa: BLE001  (each kind becomes one message)
                _give_up_unless_retryable(exc, url, self, attempt)
            time.sleep(BACKOFF * 2**attempt)
        raise AssertionError  # pragma: no cover  (the loop returns or raises)


def _give_up_unless_retryable(exc: Exception, url: str, opener: _Opener, attempt: int) -> None:
    """Raise the error for ``exc`` unless it is worth another try and one is left."""
    if not _retryable(exc) or attempt == TRIES - 1:
        raise _network_error(exc, url, opener, tries=attempt + 1) from None


def _handler(read: float, context: ssl.SSLContext) -> urllib.request.BaseHandler:
    """Open http and https URLs; a connection waits ``read`` seconds for data once made."""
    import http.client
    import urllib.request

    def timed(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        class Connection(base):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                super().connect()
                self.sock.settimeout(read)  # the connect timeout was for connecting

        return Connection

    plain, secure = timed(http.client.HTTPConnection), timed(http.client.HTTPSConnection)

    class Handler(urllib.request.HTTPSHandler):
        http_request = urllib.request.AbstractHTTPHandler.do_request_

        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(plain, req)

        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(secure, req, context=context)

    return Handler(context=context)


def _redirect_handler() -> urllib.request.HTTPRedirectHandler:
    import urllib.request

    class Handler(urllib.request.HTTPRedirectHandler):
        def http_error_302(
            self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
        ) -> Any:
            """Check where a redirect goes before urllib does (it would allow ``ftp:``)."""
            from urllib.parse import urljoin

            location = headers.get("location") or headers.get("uri")
            if location:
                _check_redirect(req.full_url, urljoin(req.full_url, location))
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    return Handler()


def _check_redirect(url: str, newurl: str) -> None:
    """A redirect goes to http or https only, and never from https down to http."""
    from urllib.parse import urlsplit

    _check_scheme(newurl, f"the redirect of {url:.300} to")
    if urlsplit(url).scheme == "https" and urlsplit(newurl).scheme.lower() == "http":
        raise RegistryUpdateError(
            f"{url:.300} redirects to {newurl:.300}, from https down to http: refused; check "
            "the --api URL, or report it to the server's owner"
        )


def _check_scheme(url: str, what: str) -> None:
    from urllib.parse import urlsplit

    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise RegistryUpdateError(
            f"{what} {url!r:.300} is not an http or https URL: refused (only http and https "
            "are fetched)"
        )


def _retryable(exc: BaseException) -> bool:
    """A timeout, a 5xx answer, or a connection cut in the middle: worth another try."""
    import http.client
    import socket
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return 500 <= exc.code < 600
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(
        reason,
        (
            socket.timeout,
            TimeoutError,
            http.client.IncompleteRead,
            ConnectionResetError,  # http.client.RemoteDisconnected too
            ConnectionAbortedError,
        ),
    )


def _proxy_for(url: str) -> str | None:
    """The proxy urllib uses for ``url`` (from the environment), if any."""
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy is None or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy


def _network_error(  # noqa: C901, PLR0911, PLR0912  (one message per kind of failure)
    exc: BaseException, url: str, opener: _Opener, *, tries: int
) -> RegistryUpdateError:
    """One line naming what failed and what to do."""
    import http.client
    import socket
    import ssl
    import urllib.error
    from urllib.parse import urlsplit

    if isinstance(exc, RegistryUpdateError):
        return exc
    host = urlsplit(url).hostname or url
    proxy = _proxy_for(url)
    via = f" through the proxy {proxy}" if proxy else ""
    if isinstance(exc, urllib.error.HTTPError):
        answer = f"{exc.code} {exc.reason}"
        if exc.code == 407:
            return RegistryUpdateError(
                f"the proxy {proxy or ''} refused the request to {host} ({answer}): give its "
                "credentials in HTTPS_PROXY (http://user:password@host:port), or set NO_PROXY"
            )
        if 500 <= exc.code < 600:
            return RegistryUpdateError(
                f"{host} answered {answer} to {tries} tries ({url:.200}): the server is "
                "unavailable; try again later"
            )
        if exc.code == 404:
            return RegistryUpdateError(
                f"{url:.300} answered 404 Not Found: check the --api URL (data.gouv.fr's is "
                f"{DEFAULT_API}); if it is that one, the dataset moved: try again later"
            )
        return RegistryUpdateError(f"{url:.300} answered {answer}: check the --api URL")
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return RegistryUpdateError(
            f"no answer from {host}{via} within {opener.read:g} s, {tries} tries: check the "
            "network connection, or try again later"
        )
    if isinstance(reason, socket.gaierror):
        name = urlsplit(proxy).hostname if proxy else host
        return RegistryUpdateError(
            f"cannot resolve the host name {name} (DNS: {reason.strerror or reason}): check the "
            "network connection and the proxy settings (HTTPS_PROXY, NO_PROXY)"
        )
    if isinstance(reason, ssl.SSLError):
        return RegistryUpdateError(
            f"the TLS connection to {host}{via} failed "
            f"({getattr(reason, 'reason', None) or reason}): if a company's proxy inspects TLS, "
            "set SSL_CERT_FILE to its certificate bundle"
        )
    if isinstance(reason, OSError) and "Tunnel connection failed" in str(reason):
        return RegistryUpdateError(
            f"the proxy {proxy} refused to reach {host} ({str(reason).split(': ', 1)[-1]}): "
            "check HTTPS_PROXY and NO_PROXY, or ask for access to data.gouv.fr"
        )
    if isinstance(reason, ConnectionRefusedError):
        if proxy:
            return RegistryUpdateError(
                f"the proxy {proxy} refused the connection: check HTTPS_PROXY and HTTP_PROXY "
                "(and NO_PROXY)"
            )
        return RegistryUpdateError(
            f"cannot connect to {host} (connection refused): check the network connection "
            "and the --api URL, or give a file you have with --export FILE"
        )
    if isinstance(reason, (http.client.HTTPException, ConnectionError)):
        return RegistryUpdateError(
            f"the connection to {host}{via} broke ({type(reason).__name__}), {tries} tries: "
            "run the update again (a download resumes where it stopped)"
        )
    if isinstance(reason, OSError):
        return RegistryUpdateError(
            f"no network to reach {host}{via} ({reason.strerror or reason}): check the network "
            "connection, or give a file you have with --export FILE"
        )
    return RegistryUpdateError(f"cannot fetch {url:.300}: {type(exc).__name__}: {exc}")


def _newest_export(opener: _Opener, api: str) -> _Resource:
    """The newest RNCP XML v4.1 export the API lists."""
    response = opener.open(api)
    try:
        body = response.read(32 << 20)  # the dataset's listing is some hundreds of kB
    except Exception as exc:  # noqa: BLE001
        raise _network_error(exc, api, opener, tries=1) from None
    finally:
        response.close()
    try:
        listing = json.loads(body)
    except ValueError:
        raise RegistryUpdateError(
            f"the API at {api:.300} did not answer JSON ({body[:60]!r}…): check the --api URL "
            f"(data.gouv.fr's is {DEFAULT_API})"
        ) from None
    resources = listing.get("resources") if isinstance(listing, dict) else None
    if not isinstance(resources, list):
        raise RegistryUpdateError(
            f"the API at {api:.300} answered JSON with no 'resources' list: check the --api URL "
            f"(data.gouv.fr's is {DEFAULT_API})"
        )
    exports = [r for r in map(_resource, resources) if r is not None]
    if not exports:
        raise RegistryUpdateError(
            f"the API at {api:.300} lists no RNCP XML v4.1 export (export-fiches-rncp-v4-1-"
            f"AAAA-MM-JJ.zip) among its {len(resources)} resources: check the --api URL, or "
            "give a file you have with --export FILE"
        )
    return max(exports, key=lambda r: r.date)


def _resource(raw: object) -> _Resource | None:
    """A listed resource, if it is an RNCP XML v4.1 export with a usable URL."""
    if not isinstance(raw, dict):
        return None
    title, url = raw.get("title"), raw.get("url")
    match = _TITLE.match(title) if isinstance(title, str) else None
    if match is None or not isinstance(url, str):
        return None
    try:
        date = dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None
    size = raw.get("filesize")
    checksum = raw.get("checksum")
    digest = None
    if isinstance(checksum, dict):
        kind, value = checksum.get("type"), checksum.get("value")
        if isinstance(kind, str) and isinstance(value, str) and kind.lower() in _HASHES:
            digest = (_HASHES[kind.lower()], value.strip().lower())
        elif kind == "crc" and isinstance(value, str):
            digest = ("crc32", value.strip().lower())
    modified = raw.get("last_modified")
    return _Resource(
        title=title,  # type: ignore[arg-type]  # matched above
        url=url,
        date=date,
        filesize=size if isinstance(size, int) and not isinstance(size, bool) else None,
        last_modified=modified if isinstance(modified, str) else None,
        checksum=digest,
    )


# ---------------------------------------------------------------- the download


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _read_meta(path: Path, resource: _Resource | None = None) -> dict[str, Any] | None:
    """The record kept beside ``path``; with ``resource``, only if ``path`` is that file."""
    try:
        meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    if resource is not None and (meta.get("identity") != resource.identity or not path.is_file()):
        return None
    return meta


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    _meta_path(path).write_text(json.dumps(meta), encoding="utf-8")


def _kept(cache: Path, resource: _Resource) -> Path | None:
    """The verified zip of the cache, if it is the file the API lists now."""
    path = cache / resource.title
    if _read_meta(path, resource) is None or (
        resource.filesize is not None and path.stat().st_size != resource.filesize
    ):
        return None
    return path


def _kept_export(cache: Path) -> Path:
    """For ``--offline``: the verified zip the cache keeps."""
    verified = [
        p
        for p in sorted(cache.glob("export-fiches-rncp-v4-1-*.zip"))
        if _TITLE.match(p.name) and _read_meta(p) is not None
    ]
    if not verified:
        raise RegistryUpdateError(
            f"no export is kept in {cache} for --offline: run 'titre-mercd registry update' "
            "(with the network), or give a file you have with --export FILE"
        )
    return verified[-1]


def _download(opener: _Opener, resource: _Resource, cache: Path, *, progress: bool | None) -> Path:
    """Stream the export into the cache, resuming a part of the same file, and verify it."""
    final = cache / resource.title
    part = final.with_name(final.name + ".part")
    meta = _read_meta(part, resource)
    if meta is None:
        _remove(part)
        meta = {"identity": resource.identity, "validator": None}
    _check_scheme(resource.url, f"the URL the API gives for {resource.title}")
    show = sys.stderr.isatty() if progress is None else progress
    bar = _Bar(resource.filesize) if show else None
    try:
        for attempt in range(TRIES):
            if _try_download(opener, resource, part, meta, bar, attempt=attempt):
                break
            time.sleep(BACKOFF * 2**attempt)
    finally:
        if bar is not None:
            bar.done()
    _verify(part, resource)
    part.replace(final)
    _write_meta(final, {"identity": resource.identity, "url": resource.url})
    _remove(_meta_path(part))
    for other in cache.glob("export-fiches-rncp-v4-1-*"):  # keep only the newest verified zip
        if other.name not in (final.name, _meta_path(final).name):
            _remove(other)
    return final


def _try_download(  # noqa: PLR0913  (one try of the loop above, with its state)
    opener: _Opener,
    resource: _Resource,
    part: Path,
    meta: dict[str, Any],
    bar: _Bar | None,
    *,
    attempt: int,
) -> bool:
    """One try: resume ``part`` (or start it) and stream to its end; false to try again."""
    done = part.stat().st_size if part.is_file() and meta["validator"] else 0
    headers = {"Range": f"bytes={done}-", "If-Range": meta["validator"]} if done else {}
    response = opener.open(resource.url, headers)
    try:
        if response.status == 206 and _range_start(response) == done:
            mode = "ab"
        else:  # the whole file: the server does not resume, or the file changed
            mode, done = "wb", 0
            meta["validator"] = _validator(response)
            _write_meta(part, meta)
        if bar is not None:
            bar.start(done)
        with part.open(mode) as out:
            for chunk in _chunks(response, bar):
                out.write(chunk)
    except RegistryUpdateError:
        raise
    except Exception as exc:  # noqa: BLE001  (a timeout, IncompleteRead… is tried again)
        if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
            raise _disk_error(exc, part.parent, "write", resource.filesize) from None
        _give_up_unless_retryable(exc, resource.url, opener, attempt)
        return False
    finally:
        response.close()
    return True


def _verify(part: Path, resource: _Resource) -> None:
    """Check the download's size and checksum against the API's; remove it if they differ."""
    import hashlib
    import zlib

    size = part.stat().st_size
    if resource.filesize is not None and size != resource.filesize:
        _remove(part)
        what = "truncated" if size < resource.filesize else "longer than announced"
        raise RegistryUpdateError(
            f"the download of {resource.title} is {what}: {size} bytes, the API gives "
            f"{resource.filesize}: it was removed; run the update again"
        )
    if resource.checksum is None:
        return
    kind, expected = resource.checksum
    crc = 0
    digest = None if kind == "crc32" else hashlib.new(kind)
    with part.open("rb") as data:
        for chunk in iter(lambda: data.read(_CHUNK), b""):
            if digest is None:
                crc = zlib.crc32(chunk, crc)
            else:
                digest.update(chunk)
    actual = f"{crc:08x}" if digest is None else digest.hexdigest()
    if actual != expected:
        _remove(part)
        raise RegistryUpdateError(
            f"the download of {resource.title} has {kind} {actual}, the API gives {expected}: "
            "it was removed; run the update again (if it fails again, the file or the listing "
            "is wrong: try again later)"
        )


def _chunks(response: http.client.HTTPResponse, bar: _Bar | None) -> Iterator[bytes]:
    """The body, a chunk at a time; ``IncompleteRead`` if it ends before its Content-Length."""
    import http.client

    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            if response.length:  # the connection closed early (http.client says nothing)
                raise http.client.IncompleteRead(b"", response.length)
            return
        if bar is not None:
            bar.advance(len(chunk))
        yield chunk


def _range_start(response: http.client.HTTPResponse) -> int | None:
    """Where a 206 answer starts (its ``Content-Range: bytes START-END/TOTAL``)."""
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return int(match.group(1)) if match else None


def _validator(response: http.client.HTTPResponse) -> str | None:
    """What ``If-Range`` sends to resume this file: a strong ETag, else Last-Modified."""
    if "bytes" not in response.headers.get("Accept-Ranges", "bytes"):
        return None
    etag = response.headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return str(etag)
    modified = response.headers.get("Last-Modified")
    return str(modified) if modified else None


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _disk_error(
    exc: OSError, where: Path, action: str, needed: int | None = None
) -> RegistryUpdateError:
    if exc.errno in _DISK_FULL:
        size = f" ({needed / 1e6:.0f} MB needed)" if needed else ""
        return RegistryUpdateError(
            f"no space left on the disk of {where}{size}: free some space and run the update "
            "again; the data in use is unchanged"
        )
    return RegistryUpdateError(
        f"cannot {action} {where}: {exc.strerror or exc}; the data in use is unchanged"
    )


class _Bar:
    """Bytes, total and rate on standard error, redrawn at most five times a second."""

    def __init__(self, total: int | None) -> None:
        self._total = total
        self._done = self._from = 0
        self._start = time.monotonic()
        self._drawn = 0.0

    def start(self, done: int) -> None:
        self._done = self._from = done
        self._start = time.monotonic()

    def advance(self, count: int) -> None:
        self._done += count
        now = time.monotonic()
        if now - self._drawn >= 0.2 or self._done == self._total:
            self._drawn = now
            rate = (self._done - self._from) / max(now - self._start, 1e-6)
            total = f" of {self._total / 1e6:.1f}" if self._total else ""
            sys.stderr.write(
                f"\rDownloading the export: {self._done / 1e6:.1f}{total} MB, "
                f"{rate / 1e6:.1f} MB/s   "
            )
            sys.stderr.flush()

    def done(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()


# ---------------------------------------------------------------- the import and its report


def _previous(target: Path, shipped: Dataset) -> Dataset:
    """The data the update replaces: the user's update if it loads, else the shipped data."""
    from ._loading import load_directory
    from .exceptions import DataError

    if not (target / "MANIFEST.json").is_file():
        return shipped
    try:
        return load_directory(target)
    except DataError:
        return shipped


def _built_from(previous: Dataset, export: str, shipped: Dataset) -> bool:
    """Whether the update in use was built from ``export`` on this package's data."""
    imported = previous.imported
    return (
        imported is not None
        and imported.export == export
        and imported.base_data_version == shipped.data_version
    )


def _import(
    path: Path, target: Path, export_date: dt.date | None, *, progress: bool | None, cache: Path
) -> ImportResult:
    """Import ``path`` into ``target``, replacing the previous update only once it is checked."""
    from ._registry_import import import_export
    from .exceptions import ImportRefusedError

    try:
        return import_export(
            str(path), str(target), force=True, export_date=export_date, progress=progress
        )
    except ImportRefusedError as exc:
        raise RegistryUpdateError(f"{exc}; the data in use is unchanged") from None
    except RegistryExportError as exc:
        if path.parent == cache:  # a verified download that is no export: not kept
            _remove(path)
            _remove(_meta_path(path))
        raise RegistryExportError(
            f"{path.name} is not an RNCP export that can be imported: {exc}; the data in use "
            "is unchanged"
        ) from None
    except OSError as exc:
        raise _disk_error(exc, target.parent, "write in") from None


def _fiche_texts(directory: str | None) -> dict[str, str]:
    """The lineage's fiches a data directory saved, by number, without their heading."""
    if directory is None:
        return {}
    texts = {}
    for path in Path(directory, "texts").glob("fiche-*.txt"):
        content = path.read_text(encoding="utf-8")
        texts[path.stem.split("-")[1]] = content.split("\n\n", 1)[-1]  # the heading: a date
    return texts


def _report(  # noqa: PLR0913
    previous: Dataset,
    target: Path,
    export: str,
    export_date: dt.date,
    *,
    downloaded: bool,
    imported: ImportResult | None = None,
) -> UpdateResult:
    """What changed from ``previous`` to the data in ``target``; nothing unless ``imported``."""
    from ._loading import load_directory

    now = previous if imported is None else load_directory(target)
    before = {v.key: v for v in previous.versions}
    old_texts, new_texts = (
        (_fiche_texts(previous.directory), _fiche_texts(now.directory)) if imported else ({}, {})
    )
    return UpdateResult(
        export=export,
        export_date=export_date,
        downloaded=downloaded,
        changed=imported is not None,
        data_version=now.data_version,
        previous_data_version=previous.data_version,
        directory=str(target),
        new_versions=tuple(v.key for v in now.versions if v.key not in before),
        changed_versions=tuple(
            v.key for v in now.versions if v.key in before and before[v.key] != v
        ),
        new_fiches=tuple(sorted(n for n in new_texts if n not in old_texts)),
        changed_fiches=tuple(
            sorted(n for n, t in new_texts.items() if n in old_texts and old_texts[n] != t)
        ),
        added=() if imported is None else imported.added,
        notes=() if imported is None else imported.notes,
    )
