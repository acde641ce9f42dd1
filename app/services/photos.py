"""Photos for a visit: imported from a file, EXIF/GPS stripped, downscaled, re-encoded as JPEG.

A phone photo is 3-8 MB with the camera model, the time and often the GPS position in its EXIF
block. Re-encoding from the pixels alone drops every metadata block (EXIF, XMP, ICC, comments);
the orientation tag is applied to the pixels first so the picture still stands the right way up.
Downscaling to `max_side` pixels at JPEG quality `quality` keeps a visit photo at a few hundred
KB, which matters for the encrypted store and for uploads over a weak mobile connection.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import ValidationError

logger = logging.getLogger(__name__)

DEFAULT_MAX_SIDE = 1600
DEFAULT_QUALITY = 80
#: refuse absurd inputs before decoding (a decompression bomb or a wrong file)
MAX_INPUT_BYTES = 40 * 1024 * 1024


@dataclass(frozen=True)
class PreparedPhoto:
    jpeg: bytes
    width: int
    height: int


def prepare_photo(
    source: Path | bytes, *, max_side: int = DEFAULT_MAX_SIDE, quality: int = DEFAULT_QUALITY
) -> PreparedPhoto:
    """Decode, orient, downscale and re-encode a photo without any metadata."""
    raw = source.read_bytes() if isinstance(source, Path) else source
    if len(raw) > MAX_INPUT_BYTES:
        raise ValidationError("照片文件过大", "The photo file is too large", code="photo_too_large")
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            "无法读取该图片文件", "This file is not a readable picture", code="photo_unreadable"
        ) from exc
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A fresh image from the pixels alone: nothing of the source's info dict comes along.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=quality, optimize=True)
    logger.debug("photo prepared: %dx%d, %d bytes", clean.width, clean.height, out.tell())
    return PreparedPhoto(out.getvalue(), clean.width, clean.height)
