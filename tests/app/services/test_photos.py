"""Photos lose EXIF/GPS, keep their orientation, shrink to a few hundred KB; signatures kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from app.crypto import KdfParams
from app.domain import VisitKind
from app.errors import ValidationError
from app.services.photos import prepare_photo
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService, Registration, RegistrationRequest

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _camera_jpeg(width: int = 4000, height: int = 3000, orientation: int = 1) -> bytes:
    image = Image.effect_noise((width, height), 60).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 20.0), 3: "E", 4: (116.0, 23.0, 30.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_exif_and_gps_are_stripped_and_the_photo_shrinks() -> None:
    raw = _camera_jpeg()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x010F) == "PhoneMaker"
    photo = prepare_photo(raw)
    result = Image.open(io.BytesIO(photo.jpeg))
    assert dict(result.getexif()) == {}
    assert "exif" not in result.info and "icc_profile" not in result.info
    assert b"PhoneMaker" not in photo.jpeg
    assert max(result.size) == 1600
    assert len(photo.jpeg) < min(len(raw), 900_000)


def test_orientation_is_applied_before_the_tag_goes() -> None:
    photo = prepare_photo(_camera_jpeg(400, 300, orientation=6))  # rotated 90° by the camera
    assert (photo.width, photo.height) == (300, 400)


def test_not_a_picture_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        prepare_photo(b"%PDF-1.7 not an image")
    assert info.value.code == "photo_unreadable"


def _register(request: RegistrationRequest) -> Registration:
    return Registration(user_id="u1", device_id="d1", display_name=request.account)


def test_photos_and_signatures_join_the_visit_encrypted(tmp_path: Path) -> None:
    accounts = AccountService(
        ProfileDirectory(tmp_path), register=_register, kdf=KdfParams.for_tests()
    )
    session = accounts.register("https://jf.example.cn", "wangfang", "correct horse battery")
    session.seed_demo_data(households=1)
    household_id = session.households()[0].household_id
    visit = session.start_visit(household_id, VisitKind.PERIODIC_REVIEW)
    raw = _camera_jpeg(800, 600)
    visit = session.add_photo(visit.visit_id, raw)
    [photo_id] = visit.content.photo_ids
    stored = session.attachment_bytes(photo_id)
    assert Image.open(io.BytesIO(stored)).size == (800, 600)
    # On disk the photo is ciphertext: no JPEG marker, no camera make.
    files = list((session.profile.path).glob("*.attachments/*.bin"))
    assert files and all(b"\xff\xd8\xff" not in f.read_bytes()[:64] for f in files)
    assert all(b"PhoneMaker" not in f.read_bytes() for f in files)
    png = io.BytesIO()
    Image.new("L", (300, 120), 255).save(png, format="PNG")
    visit = session.add_signature(visit.visit_id, "household", png.getvalue())
    visit = session.add_signature(visit.visit_id, "household", png.getvalue())
    assert [s.signer for s in visit.content.signatures] == ["household"]
    assert session.attachment_bytes(visit.content.signatures[0].attachment_id) == png.getvalue()
