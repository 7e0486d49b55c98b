"""``titre-mercd registry update`` and which data set answers (issue 16, parts 1 to 3).

A local server on 127.0.0.1 stands for data.gouv.fr (``tests/update_server.py``): its API's
answer and the zips it lists. ``tests/conftest.py`` points the user's data and cache directories
at empty temporary ones. Every failing case checks that the data in use is still the previous
one, byte for byte, and that nothing was left outside the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import titre_mercd
from registry_exports import SAMPLE
from titre_mercd import _loading, _referentiel, _update
from titre_mercd._cli._app import run as cli
from update_server import Server, export_zip, serving, snapshot

if TYPE_CHECKING:
    from collections.abc import Iterator

NEW_KEY = "2024-02-23"  # the made-up successor's key (registry_exports)
DAY = "2026-12-01"
ZIP = f"export-fiches-rncp-v4-1-{DAY}.zip"
LAUNCHER = [sys.executable, "-m", "titre_mercd"]


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serving()


@pytest.fixture(autouse=True)
def _back_to_the_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Quick retries; and after the test, the shipped data in use by the rule, as before."""
    monkeypatch.setattr(_update, "BACKOFF", 0.01)
    titre_mercd.use_data(None)  # by the rule, as a fresh process: none of a doctest's pinning
    yield
    titre_mercd.use_data("shipped")
    _referentiel._chosen_by_rule = True


def data_dir() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "titre-mercd" / "data"


def cache_dir() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "titre-mercd"


def update(
    capsys: pytest.CaptureFixture[str], *args: str, json_output: bool = True
) -> tuple[int, Any, str]:
    """Run ``registry update ARGS`` in this process: the status, the output, the error line."""
    status = cli(["registry", "update", *args, *(["--json"] if json_output else [])])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if json_output and out else out), err


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``registry update ARGS``, refused: exit status 2 and one error line, returned."""
    status, out, err = update(capsys, *args, json_output=False)
    assert (status, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("titre-mercd: registry update: ")
    return err


def outside_the_cache() -> list[str]:
    """What lies in the user's data directory besides the data: a leftover of a failed run.

    The data is ``data`` and its store of complete copies, ``.data.versions`` (the import's
    directory swap); a directory being built there (``b-…``) is a leftover.
    """
    home = data_dir().parent
    if not home.exists():
        return []
    found = [p.name for p in home.iterdir() if p.name not in ("data", ".data.versions")]
    store = home / ".data.versions"
    if store.exists():
        found += [f".data.versions/{p.name}" for p in store.iterdir() if p.name.startswith("b-")]
    return sorted(found)


@pytest.fixture
def previous(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    """An update already in use (from an export of 2026-11-01, by --export), and its bytes."""
    older = tmp_path / "older"
    older.mkdir()
    path = older / "export-fiches-rncp-v4-1-2026-11-01.zip"
    path.write_bytes(export_zip(older, "2026-11-01"))
    status, out, err = update(capsys, "--export", str(path))
    assert (status, err) == (0, ""), err
    assert out["data_version"] == f"{titre_mercd.Referentiel().data_version}+rncp.2026-11-01"
    return snapshot(data_dir())


def assert_unchanged(before: dict[str, bytes]) -> None:
    assert snapshot(data_dir()) == before
    assert outside_the_cache() == []


# ---------------------------------------------------------------- the happy path


def test_update_then_a_second_run_downloads_nothing(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    status, out, err = update(capsys, "--api", server.api)
    assert (status, err) == (0, "")
    shipped = titre_mercd.Referentiel()
    assert out["downloaded"] is True
    assert out["changed"] is True
    assert out["export"] == ZIP
    assert out["export_date"] == DAY
    assert out["data_version"] == f"{shipped.data_version}+rncp.{DAY}"
    assert out["previous_data_version"] == shipped.data_version
    assert out["new_versions"] == [NEW_KEY]
    assert "RNCP38665" in out["new_fiches"]
    assert out["directory"] == str(data_dir())
    assert (cache_dir() / ZIP).read_bytes() == server.files[f"/files/{ZIP}"]
    assert titre_mercd.Referentiel(data_dir()).version(NEW_KEY).rncp == "RNCP38665"
    # This process answers from it too: it answered by the rule.
    assert out["data_version"] == titre_mercd.DATA_VERSION
    assert titre_mercd.current(dt.date(2026, 12, 1)).key == NEW_KEY  # type: ignore[union-attr]
    user_agent = server.requested(f"/files/{ZIP}")[0]["User-Agent"]
    assert user_agent.startswith(f"titre-mercd/{titre_mercd.__version__} ")

    before = snapshot(data_dir())
    status, again, err = update(capsys, "--api", server.api)
    assert (status, err) == (0, "")
    assert (again["downloaded"], again["changed"]) == (False, False)
    assert again["data_version"] == out["data_version"]
    assert len(server.requested(f"/files/{ZIP}")) == 1  # no second download
    assert snapshot(data_dir()) == before


def test_the_human_report_names_the_export_the_versions_and_the_data_version(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    status, out, err = update(capsys, "--api", server.api, json_output=False)
    assert (status, err) == (0, "")
    version = f"{titre_mercd.Referentiel().data_version}+rncp.{DAY}"
    assert all(len(line) <= 80 for line in out.splitlines())
    out = " ".join(out.split())
    assert f"Updated from the export of {DAY} ({ZIP}), downloaded." in out
    assert f"Data version now in use: {version}" in out
    assert f"New versions: {NEW_KEY}" in out
    status, out, _ = update(capsys, "--api", server.api, json_output=False)
    assert " ".join(out.split()).startswith(
        f"Up to date: the data in use was built from the export of {DAY}"
    )


def test_a_newer_export_replaces_the_update_and_only_the_newest_zip_is_kept(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    assert update(capsys, "--api", server.api)[0] == 0
    newer = "export-fiches-rncp-v4-1-2026-12-02.zip"
    server.publish(newer, export_zip(tmp_path, "2026-12-02"))
    status, out, _ = update(capsys, "--api", server.api)
    assert status == 0
    assert out["export"] == newer
    assert out["new_versions"] == []  # the same lineage, one day later
    assert out["changed_fiches"] == []
    assert sorted(p.name for p in cache_dir().iterdir()) == [newer, f"{newer}.json", "update.lock"]


# ---------------------------------------------------------------- the download


def test_a_connection_cut_half_way_is_resumed(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = export_zip(tmp_path)
    server.publish(ZIP, content)
    server.faults[f"/files/{ZIP}"] = ["cut"]
    status, _, err = update(capsys, "--api", server.api)
    assert (status, err) == (0, ""), err
    first, second = server.requested(f"/files/{ZIP}")
    assert "Range" not in first
    assert second["Range"] == f"bytes={(len(content)) // 2}-"
    assert second["If-Range"] == '"' + hashlib.sha1(content).hexdigest() + '"'  # noqa: S324
    assert (cache_dir() / ZIP).read_bytes() == content


def test_a_part_of_another_file_is_not_resumed(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = export_zip(tmp_path)
    cache_dir().mkdir(parents=True)
    (cache_dir() / f"{ZIP}.part").write_bytes(b"x" * 100)
    identity = {"title": ZIP, "checksum": ["sha1", "0" * 40]}  # another checksum
    (cache_dir() / f"{ZIP}.part.json").write_text(
        json.dumps({"identity": identity, "validator": '"v"'})
    )
    server.publish(ZIP, content)
    assert update(capsys, "--api", server.api)[0] == 0
    assert "Range" not in server.requested(f"/files/{ZIP}")[0]


@pytest.mark.parametrize("fault", ["checksum", "size"])
def test_a_checksum_or_size_mismatch_changes_nothing(
    fault: str,
    server: Server,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    previous: dict[str, bytes],
) -> None:
    content = export_zip(tmp_path)
    if fault == "checksum":
        server.publish(ZIP, content, listed_checksum="0" * 40)
        expected = "has sha1"
    else:
        server.publish(ZIP, content, filesize=len(content) + 10)
        expected = "truncated"
    err = refused(capsys, "--api", server.api)
    assert expected in err
    assert "run the update again" in err
    assert_unchanged(previous)
    assert not (cache_dir() / ZIP).exists()
    assert not (cache_dir() / f"{ZIP}.part").exists()


@pytest.mark.parametrize("kind", ["sha1", "sha2", "sha256", "sha512", "md5", "crc"])
def test_every_checksum_type_udata_allows_is_checked(kind: str, tmp_path: Path) -> None:
    import zlib

    content = b"PK-made-up-content" * 1000
    algorithm = {"sha2": "sha256", "crc": "crc32"}.get(kind, kind)
    good = (
        f"{zlib.crc32(content):08x}"
        if kind == "crc"
        else hashlib.new(algorithm, content).hexdigest()
    )
    raw = {"title": ZIP, "url": "http://127.0.0.1/x", "filesize": len(content)}
    for value, agrees in ((good.upper(), True), ("0" * len(good), False)):
        resource = _update._resource({**raw, "checksum": {"type": kind, "value": value}})
        assert resource is not None
        part = tmp_path / "part"
        part.write_bytes(content)
        if agrees:
            _update._verify(part, resource)
        else:
            with pytest.raises(titre_mercd.RegistryUpdateError, match=f"has {algorithm} "):
                _update._verify(part, resource)
            assert not part.exists()


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ([404], "answered 404 Not Found: check the --api URL"),
        ([503, 503, 503], "answered 503 Service Unavailable to 3 tries"),
    ],
    ids=["404", "503 three times"],
)
def test_http_errors_change_nothing(  # noqa: PLR0917  (fixtures)
    fault: list[int],
    expected: str,
    server: Server,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    previous: dict[str, bytes],
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    server.faults[f"/files/{ZIP}"] = list(fault)
    err = refused(capsys, "--api", server.api)
    assert expected in err
    assert_unchanged(previous)


def test_503_then_200_is_tried_again(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    server.faults[server.api.removeprefix(server.url)] = [503]
    server.faults[f"/files/{ZIP}"] = [502]
    status, out, err = update(capsys, "--api", server.api)
    assert (status, err) == (0, "")
    assert out["downloaded"] is True


def test_a_server_that_stalls_past_the_read_timeout(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], previous: dict[str, bytes]
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    server.always[f"/files/{ZIP}"] = "stall"
    server.stall = 3
    started = time.monotonic()
    err = refused(capsys, "--api", server.api, "--timeout", "0.3")
    assert "no answer from 127.0.0.1 within 0.3 s, 3 tries" in err
    assert time.monotonic() - started < 10
    assert len(server.requested(f"/files/{ZIP}")) == 3
    assert_unchanged(previous)
    assert (cache_dir() / f"{ZIP}.part").exists()  # kept to resume, in the cache


def test_a_redirect_to_another_port_is_followed(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = Server().start()
    try:
        content = export_zip(tmp_path)
        storage.files[f"/files/{ZIP}"] = content
        server.publish(ZIP, content)
        server.always[f"/files/{ZIP}"] = ("redirect", f"{storage.url}/files/{ZIP}")
        status, _, err = update(capsys, "--api", server.api)
        assert (status, err) == (0, "")
        assert len(storage.requested(f"/files/{ZIP}")) == 1
    finally:
        storage.stop()


def test_a_redirect_to_another_scheme_is_refused(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], previous: dict[str, bytes]
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    server.always[f"/files/{ZIP}"] = ("redirect", "file:///etc/passwd")
    err = refused(capsys, "--api", server.api)
    assert "to 'file:///etc/passwd' is not an http or https URL: refused" in err
    assert_unchanged(previous)


@pytest.mark.parametrize("api", ["file:///etc/passwd", "ftp://127.0.0.1/"])
def test_only_http_and_https_are_fetched(api: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "--api", api)
    assert "is not an http or https URL: refused" in err


def test_an_api_listing_only_rs_and_csv_exports(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], previous: dict[str, bytes]
) -> None:
    content = export_zip(tmp_path)
    server.publish(f"export-fiches-rs-v4-1-{DAY}.zip", content)
    server.publish(f"export-fiches-csv-{DAY}.zip", content)
    err = refused(capsys, "--api", server.api)
    assert "lists no RNCP XML v4.1 export" in err
    assert "among its 2 resources" in err
    assert_unchanged(previous)


def test_an_api_answer_that_is_not_json(
    server: Server, capsys: pytest.CaptureFixture[str], previous: dict[str, bytes]
) -> None:
    server.api_body = b"<!DOCTYPE html><html>Maintenance</html>"
    err = refused(capsys, "--api", server.api)
    assert "did not answer JSON" in err
    assert_unchanged(previous)


def test_network_failures_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    err = refused(capsys, "--api", f"http://127.0.0.1:{port}/api/")
    assert "cannot connect to 127.0.0.1 (connection refused)" in err
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "")
    err = refused(capsys, "--api", "http://data.example/api/")
    assert f"the proxy http://127.0.0.1:{port} refused the connection" in err


def test_errors_under_json_are_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = update(capsys, "--api", "file:///x")
    assert (status, out) == (2, "")
    error = json.loads(err)
    assert error["status"] == 2
    assert "refused" in error["message"]


# ---------------------------------------------------------------- what the export holds


def test_a_zip_that_is_not_an_export(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], previous: dict[str, bytes]
) -> None:
    archive = tmp_path / "not.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("export_fiches_RNCP_V4_1_2026-12-01.xml", "<html><body>Erreur</body></html>")
    server.publish(ZIP, archive.read_bytes())
    err = refused(capsys, "--api", server.api)
    assert f"{ZIP} is not an RNCP export that can be imported" in err
    assert_unchanged(previous)
    assert not (cache_dir() / ZIP).exists()


def test_an_export_without_the_lineage_changes_nothing(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], previous: dict[str, bytes]
) -> None:
    server.publish(ZIP, export_zip(tmp_path, lineage=False))
    status, out, err = update(capsys, "--api", server.api, json_output=False)
    assert (status, err) == (1, "")
    out = " ".join(out.split())
    assert f"The export of {DAY} ({ZIP}, 12 fiches) holds no fiche of this title's lineage" in out
    assert "Registered, not in this export: RNCP38665" in out
    assert "registry update fetches the newest" in out
    assert_unchanged(previous)
    status, report, err = update(capsys, "--api", server.api)
    assert (status, err) == (1, "")
    assert report["not_in_export"] == ["RNCP38665"]
    assert report["changed"] is False


def test_a_first_update_refused_leaves_no_data_directory(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.publish(ZIP, export_zip(tmp_path, lineage=False))
    assert not data_dir().parent.exists()
    status, _, err = update(capsys, "--api", server.api)
    assert (status, err) == (1, "")
    assert not data_dir().parent.exists(), "a refused update left the user's data directory"
    assert (cache_dir() / ZIP).exists()  # the download is kept, as for any update


def test_import_of_an_export_without_the_lineage_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "registry-data"
    status = cli(
        ["registry", "import", str(SAMPLE), "--export-date", "2026-08-16", "-o", str(target)]
    )
    out, err = capsys.readouterr()
    assert (status, err) == (1, "")
    assert "The export of 2026-08-16 (export_fiches_RNCP_V4_1_sample.xml, 12 fiches)" in out
    assert "RNCP38665" in out
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    from titre_mercd._registry_import import import_export

    with pytest.raises(titre_mercd.ExportLacksLineageError, match="not even RNCP38665") as caught:
        import_export(str(SAMPLE), str(target), export_date=dt.date(2026, 8, 16))
    assert caught.value.registered == ("RNCP38665",)
    assert caught.value.export_date == dt.date(2026, 8, 16)


def test_export_file_and_offline_need_no_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / ZIP
    path.write_bytes(export_zip(tmp_path))
    status, out, err = update(capsys, "--export", str(path), "--api", "http://127.0.0.1:9/")
    assert status == 2  # one source at a time
    assert "exclude each other" in err
    status, out, err = update(capsys, "--export", str(path))
    assert (status, err) == (0, "")
    assert (out["downloaded"], out["new_versions"]) == (False, [NEW_KEY])
    err = refused(capsys, "--offline")
    assert "no export is kept" in err


# ---------------------------------------------------------------- interrupted, concurrent


def start_update(server: Server, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*LAUNCHER, "registry", "update", "--api", server.api, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(condition: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_sigint_during_the_download(
    server: Server, tmp_path: Path, previous: dict[str, bytes]
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    server.always[f"/files/{ZIP}"] = "stall"
    server.stall = 30
    child = start_update(server)
    wait_for(lambda: server.requested(f"/files/{ZIP}"))
    wait_for((cache_dir() / f"{ZIP}.part").exists)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130
    assert err.decode().strip() == "titre-mercd: interrupted"
    assert_unchanged(previous)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_two_updates_at_once(server: Server, tmp_path: Path, previous: dict[str, bytes]) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    server.always[f"/files/{ZIP}"] = "stall"
    server.stall = 30
    first = start_update(server)
    try:
        wait_for(lambda: server.requested(f"/files/{ZIP}"))
        second = subprocess.run(
            [*LAUNCHER, "registry", "update", "--api", server.api],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert second.returncode == 2
        assert "another 'titre-mercd registry update' is running" in second.stderr
        assert_unchanged(previous)
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert_unchanged(previous)


def test_a_full_disk_changes_nothing(
    server: Server,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"no small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        monkeypatch.setenv("XDG_CACHE_HOME", str(small))
        server.publish(ZIP, export_zip(tmp_path) + b"\0" * 200_000)
        status, _, err = update(capsys, "--api", server.api, json_output=False)
        assert status == 2
        assert "no space left on the disk of" in err
        assert "free some space" in err
        assert not data_dir().exists()
    finally:
        subprocess.run(["umount", str(small)], check=False)  # noqa: S607


# ---------------------------------------------------------------- which data set answers


def test_the_computed_user_data_directory_is_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    for value in (os.environ["XDG_DATA_HOME"], "", None):
        if value is None:
            monkeypatch.delenv("XDG_DATA_HOME")
        else:
            monkeypatch.setenv("XDG_DATA_HOME", value)
        assert _loading.user_data_directory() == platformdirs.user_data_dir("titre-mercd")


def test_a_relative_xdg_data_home_is_ignored_as_the_xdg_spec_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # « All paths set in these environment variables must be absolute »: platformdirs 4.14
    # follows this; 4.4 (the release pip takes on Python 3.9) takes the relative path as is.
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")
    expected = Path("~/.local/share/titre-mercd").expanduser()
    assert _loading.user_data_directory() == str(expected)


def test_the_load_path_imports_no_platformdirs() -> None:
    program = "import sys, titre_mercd; titre_mercd.preload(); print('platformdirs' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout == "False\n"


def made_update(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / ZIP
    path.write_bytes(export_zip(tmp_path))
    status, out, _ = update(capsys, "--export", str(path))
    assert status == 0
    return str(out["data_version"])


def python(program: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_the_rule_in_the_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    version = made_update(tmp_path, capsys)
    shipped = titre_mercd.Referentiel().data_version
    program = (
        "import titre_mercd as tm\n"
        "print(tm.DATA_VERSION)\n"
        "print(tm.use_data('shipped').data_version, tm.DATA_VERSION)\n"
        "print(tm.use_data(None).data_version)\n"
        "print(tm.Referentiel().data_version)\n"
    )
    out = python(program)
    assert out.stdout.split() == [version, shipped, shipped, version, shipped], out.stderr
    assert python(program, {"TITRE_MERCD_DATA": ""}).stdout.split()[0] == version
    assert python(program, {"TITRE_MERCD_DATA": "shipped"}).stdout.split()[0] == shipped
    other = python(program, {"TITRE_MERCD_DATA": str(titre_mercd.Referentiel().directory or "")})
    assert other.stdout.split()[0] == version  # empty: unset


def test_the_rule_in_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    version = made_update(tmp_path, capsys)
    shipped = titre_mercd.Referentiel().data_version

    def data_version(*args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [*LAUNCHER, *args, "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, **(env or {})},
        )
        return result.stdout

    assert f"(data {version}: your update (the RNCP export of {DAY}))" in data_version()
    assert f"(data {shipped}: the shipped data)" in data_version("--data", "shipped")
    assert f"(data {shipped}: the shipped data)" in data_version(
        env={"TITRE_MERCD_DATA": "shipped"}
    )
    assert f"(data {version}:" in data_version(env={"TITRE_MERCD_DATA": ""})


def test_an_update_built_on_another_data_version_is_not_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = made_update(tmp_path, capsys)
    shipped = titre_mercd.Referentiel().data_version
    manifest = data_dir() / "MANIFEST.json"
    content = json.loads(manifest.read_text(encoding="utf-8"))
    content["import"]["base_data_version"] = "2025.9"  # as if the package was upgraded since
    manifest.write_text(json.dumps(content), encoding="utf-8")

    out = python("import titre_mercd as tm; print(tm.DATA_VERSION)")
    assert out.stdout == f"{shipped}\n"
    assert out.stderr.count("StaleUpdateWarning") == 1
    assert "titre-mercd registry update --offline" in out.stderr

    cli_run = subprocess.run(
        [*LAUNCHER, "rome", "D1408"], capture_output=True, text=True, timeout=120, check=False
    )
    assert cli_run.returncode == 0
    assert cli_run.stderr.count("\n") == 1
    assert cli_run.stderr.startswith("titre-mercd: the update in ")
    assert "'titre-mercd registry update --offline' rebuilds it" in cli_run.stderr

    # --offline rebuilds it from the zip kept in the cache (--export kept none: put one there).
    cache_dir().mkdir(parents=True, exist_ok=True)
    kept = cache_dir() / ZIP
    kept.write_bytes((tmp_path / ZIP).read_bytes())
    kept.with_name(ZIP + ".json").write_text(json.dumps({"identity": {"title": ZIP}}))
    status, out_json, err = update(capsys, "--offline")
    assert (status, err) == (0, "")
    assert out_json["data_version"] == version
    assert python("import titre_mercd as tm; print(tm.DATA_VERSION)").stdout == f"{version}\n"


def test_after_an_update_every_answer_comes_from_it_in_a_fresh_process(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.publish(ZIP, export_zip(tmp_path))
    assert update(capsys, "--api", server.api)[0] == 0
    env = {k: v for k, v in os.environ.items() if k != "TITRE_MERCD_DATA"}

    def cli_out(*args: str) -> str:
        result = subprocess.run(
            [*LAUNCHER, *args], capture_output=True, text=True, timeout=120, check=False, env=env
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    today = dt.date.today()
    summary = cli_out()
    assert f"Version               {NEW_KEY}" in summary
    assert f"Data: your update (the RNCP export of {DAY})" in summary
    assert f"That export is {(today - dt.date(2026, 12, 1)).days} days old" in summary or (
        (today - dt.date(2026, 12, 1)).days <= 30
    )
    assert f"Version               {NEW_KEY}" in cli_out("on", "2026-12-01")
    converted = json.loads(
        cli_out("convert", "--from", "2018-12-11", "--to", NEW_KEY, "1", "--json")
    )
    deemed = [(b["version_key"], b["number"]) for b in converted["deemed_obtained"]]
    assert deemed == [(NEW_KEY, 2)]  # the made-up fiche's CORRESPONDANCES: 2018 bloc 1 → bloc 2
    program = (
        "import datetime as dt, titre_mercd as tm\n"
        "print(tm.current(dt.date(2026, 12, 1)).key)\n"
        "print(tm.is_in_force(dt.date(2026, 12, 1), '2024-02-23'))\n"
        "print(tm.successor('2018-12-11').key)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert out.stdout.split() == [NEW_KEY, "True", NEW_KEY], out.stderr


def test_the_summary_says_when_the_export_is_more_than_30_days_old(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from titre_mercd._cli._in_use import data_lines

    made_update(tmp_path, capsys)
    titre_mercd.use_data(None)
    recent = " ".join(data_lines(dt.date(2026, 12, 31)))
    assert recent.startswith(f"Data: your update (the RNCP export of {DAY}), version ")
    assert "days old" not in recent
    assert " ".join(data_lines(dt.date(2027, 1, 1))).endswith(
        "That export is 31 days old: titre-mercd registry update fetches the newest."
    )


def test_a_dns_failure_names_the_host_and_what_to_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    def no_dns(*_: object, **__: object) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    err = refused(capsys, "--api", "http://data.example/api/")
    assert "cannot resolve the host name data.example (DNS: Name or service not known)" in err
    assert "HTTPS_PROXY" in err


def test_never_from_https_down_to_http() -> None:
    with pytest.raises(titre_mercd.RegistryUpdateError, match="from https down to http: refused"):
        _update._check_redirect("https://www.data.gouv.fr/x", "http://static.example/x.zip")
    _update._check_redirect("http://127.0.0.1:1/x", "https://static.example/x.zip")
    _update._check_redirect("https://www.data.gouv.fr/x", "https://static.example/x.zip")


def test_a_proxy_refusing_the_tunnel(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "")
    opener = _update._Opener(1.0, 1.0)
    refused = urllib.error.URLError(OSError("Tunnel connection failed: 403 Forbidden"))
    error = _update._network_error(refused, _update.DEFAULT_API, opener, tries=1)
    assert str(error).startswith(
        "the proxy http://proxy.example:3128 refused to reach www.data.gouv.fr (403 Forbidden)"
    )


def test_the_user_agent_names_the_package_and_its_version() -> None:
    opener = _update._Opener(1.0, 1.0)
    assert opener.user_agent.startswith(f"titre-mercd/{titre_mercd.__version__} (Python-urllib/")
