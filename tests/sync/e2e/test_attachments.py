"""Photos: a 3 MB upload cut at 60% resumes where it stopped; other laptops fetch on demand."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from sync.client.errors import SyncError
from tests.sync.e2e.harness import Laptop, LiveServer, household_content
from tests.sync.faults.proxy import Fault, FaultProxy

LaptopFactory = Callable[[str], Laptop]
CHUNK = 256 * 1024
PHOTO_SIZE = 3 * 1024 * 1024


def _offsets(proxy: FaultProxy) -> list[int]:
    return [
        int(parse_qs(urlsplit(path).query)["offset"][0])
        for path in proxy.log.paths("PUT", "/v1/attachments/")
    ]


@pytest.fixture
def proxy(server: LiveServer) -> FaultProxy:
    fault_proxy = FaultProxy(server.port)
    yield fault_proxy  # type: ignore[misc]
    fault_proxy.close()


@pytest.mark.slow
def test_photo_upload_cut_at_60_percent_resumes_from_where_it_stopped(
    server: LiveServer, proxy: FaultProxy, laptop_factory: LaptopFactory
) -> None:
    fw1, fw2 = laptop_factory("fw1"), laptop_factory("fw2")
    hid = fw1.db.create_household(grid_id="G1", content=household_content("赵六", 1)).household_id
    photo = os.urandom(PHOTO_SIZE)
    attachment = fw1.db.add_attachment(hid, io.BytesIO(photo), kind="photo")
    # Seven chunks (58%) go through, the eighth is cut half-way (~62%), then the network stays
    # down until this run gives up.
    proxy.add(
        Fault("reset_upload", "PUT", "/v1/attachments/", skip=7, fraction=0.5),
        Fault("drop", "PUT", "/v1/attachments/", times=50),
    )
    first = fw1.engine(proxy.url, attachment_chunk_bytes=CHUNK).run_once()
    assert first.outcome == "offline"
    assert fw1.db.pending_count() == 3  # nothing acknowledged without its photo
    stopped_at = 7 * CHUNK
    assert server.records("attachment") == []

    proxy.clear()
    log_mark = len(_offsets(proxy))
    second = fw1.engine(proxy.url, attachment_chunk_bytes=CHUNK).run_once()

    assert second.ok and second.attachments_uploaded == 1
    resumed = _offsets(proxy)[log_mark:]
    assert resumed[0] == stopped_at  # not from zero
    assert second.attachment_bytes_sent == PHOTO_SIZE - stopped_at
    puts = [e for e in proxy.log.exchanges if e.method == "PUT"]
    reached_server = sum(e.request_bytes for e in puts if e.fault is None) + sum(
        e.request_bytes // 2 for e in puts if e.fault == "reset_upload"
    )
    assert reached_server <= PHOTO_SIZE + CHUNK  # at most the cut chunk went twice
    assert [r.meta["sha256"] for r in server.records("attachment")] == [attachment.sha256]

    # Another laptop gets the record and fetches the photo only when asked.
    assert fw2.engine().run_once().ok
    theirs = fw2.db.get_attachment(attachment.attachment_id)
    assert not theirs.present
    assert fw2.engines[0].fetch_attachment(attachment.attachment_id) == photo


@pytest.mark.slow
def test_photo_the_server_already_has_is_not_sent_again(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1, fw2 = laptop_factory("fw1"), laptop_factory("fw2")
    hid = fw1.db.create_household(grid_id="G1", content=household_content("钱七", 1)).household_id
    photo = os.urandom(300 * 1024)
    fw1.db.add_attachment(hid, io.BytesIO(photo), kind="photo")
    assert fw1.engine().run_once().attachments_uploaded == 1
    assert fw2.engine().run_once().ok
    fw2.db.add_attachment(hid, io.BytesIO(photo), kind="signature")  # same bytes, new record

    report = fw2.engines[0].run_once()

    assert report.ok and report.applied == 1
    assert report.attachments_uploaded == 0 and report.attachment_bytes_sent == 0


def _photo_on_the_server(laptop_factory: LaptopFactory, size: int) -> tuple[Laptop, str, bytes]:
    """A photo fw1 uploaded; fw2 has its record (not its bytes). fw2, the attachment id, the
    photo."""
    fw1, fw2 = laptop_factory("fw1"), laptop_factory("fw2")
    hid = fw1.db.create_household(grid_id="G1", content=household_content("李四", 1)).household_id
    photo = os.urandom(size)
    attachment = fw1.db.add_attachment(hid, io.BytesIO(photo), kind="photo")
    assert fw1.engine().run_once().attachments_uploaded == 1
    assert fw2.engine().run_once().ok
    assert not fw2.db.get_attachment(attachment.attachment_id).present
    return fw2, attachment.attachment_id, photo


@pytest.mark.slow
def test_a_download_cut_part_way_resumes_and_fetches_only_the_rest(
    server: LiveServer, proxy: FaultProxy, laptop_factory: LaptopFactory
) -> None:
    fw2, attachment_id, photo = _photo_on_the_server(laptop_factory, PHOTO_SIZE)
    proxy.add(Fault("truncate", "GET", "/v1/attachments/", fraction=0.6))
    engine = fw2.engine(proxy.url)

    assert engine.fetch_attachment(attachment_id) == photo

    downloads = [e for e in proxy.log.exchanges if e.path.startswith("/v1/attachments/")]
    assert [e.fault for e in downloads] == ["truncate", None]
    cut_at = downloads[0].response_bytes
    assert 0 < cut_at < PHOTO_SIZE and downloads[0].range is None
    assert downloads[1].range == f"bytes={cut_at}-" and downloads[1].status == 206
    assert downloads[1].response_bytes == PHOTO_SIZE - cut_at  # only the rest came again
    assert sum(e.response_bytes for e in downloads) == PHOTO_SIZE  # each byte came once
    assert engine.transport.stats.retries == 1


@pytest.mark.slow
def test_a_download_that_does_not_match_its_hash_is_discarded_with_a_clear_error(
    server: LiveServer, proxy: FaultProxy, laptop_factory: LaptopFactory
) -> None:
    fw2, attachment_id, photo = _photo_on_the_server(laptop_factory, 200 * 1024)
    proxy.add(
        Fault("truncate", "GET", "/v1/attachments/", fraction=0.5),
        Fault("corrupt", "GET", "/v1/attachments/"),
    )
    engine = fw2.engine(proxy.url)
    with pytest.raises(SyncError) as refused:
        engine.fetch_attachment(attachment_id)
    assert refused.value.code == "attachment_corrupt"
    assert "does not match its SHA-256" in refused.value.message_en
    assert not fw2.db.get_attachment(attachment_id).present  # nothing kept
    # Asked again (no fault now), it comes whole and right.
    assert engine.fetch_attachment(attachment_id) == photo


@pytest.mark.slow
def test_photos_behind_a_batch_upload_meanwhile_and_a_lost_one_holds_back_only_its_record(
    server: LiveServer, proxy: FaultProxy, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    hid = fw1.db.create_household(grid_id="G1", content=household_content("孙八", 1)).household_id
    photos = [os.urandom(100 * 1024) for _ in range(8)]
    attachments = [fw1.db.add_attachment(hid, io.BytesIO(p), kind="photo") for p in photos]
    # Batches of three mutations: the photos of later batches are asked about and sent while
    # earlier batches are pushed. After five photos the network drops every upload.
    proxy.add(Fault("drop", "PUT", "/v1/attachments/", skip=5, times=1_000))

    first = fw1.engine(proxy.url, push_batch_mutations=3).run_once()

    assert first.outcome == "offline"
    # One have-check covered the photos of the batches queued behind the first.
    assert len(proxy.log.paths("POST", "/v1/attachments/have")) == 1
    on_server = {r.meta["sha256"] for r in server.records("attachment")}
    assert 2 <= len(on_server) <= 5  # the first batch's, and none whose bytes were lost
    with server.session() as session:
        from sqlmodel import select

        from sync.server.models import AttachmentBlob

        complete = {b.sha256 for b in session.exec(select(AttachmentBlob)) if b.complete}
    assert len(complete) == 5
    assert on_server <= complete  # every acknowledged record has its bytes
    assert fw1.db.pending_count() == 9 - len(on_server) - 1

    proxy.clear()
    second = fw1.engine(proxy.url, push_batch_mutations=3).run_once()

    assert second.ok and fw1.db.pending_count() == 0
    assert {r.meta["sha256"] for r in server.records("attachment")} == {
        a.sha256 for a in attachments
    }
    # Each photo crossed once (the lost one's attempts never reached the server).
    sent = [e for e in proxy.log.exchanges if e.method == "PUT" and e.fault is None]
    assert len(sent) == len(photos)
