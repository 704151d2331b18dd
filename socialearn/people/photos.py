"""Profile pictures: whatever people upload becomes a small square JPEG with no metadata.

Decoding is bounded before any pixel is read (file size, then the header's dimensions), so
a crafted file cannot make the server decode a gigapixel image. The result is re-encoded from
pixels only: EXIF (camera, GPS position, dates), XMP, comments and colour profiles are not
copied. The orientation EXIF carries is applied to the pixels first, so phones' portrait
photos stay upright.
"""

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_SIZE = 256
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def photo_normalise(upload) -> bytes:
    """The uploaded file as a PHOTO_SIZE square JPEG without metadata.

    Raises ValidationError with a message for the form: too big, not an image, unusual
    format."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            gettext(
                "That picture is larger than 5 MB; choose a smaller one or a photo from your phone."
            )
        )
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            gettext(
                "That picture is larger than 5 MB; choose a smaller one or a photo from your phone."
            )
        )
    not_an_image = ValidationError(
        gettext("That file is not a picture we can read; upload a JPEG, PNG, GIF or WebP image.")
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    gettext("That picture has too many pixels; choose one under 40 megapixels.")
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # the first frame of an animation
            upright = ImageOps.exif_transpose(image)
            pixels = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
    square = ImageOps.fit(pixels, (PHOTO_SIZE, PHOTO_SIZE), method=Image.Resampling.LANCZOS)
    # A fresh image holds pixels only: nothing of the original's info dict travels with it.
    clean = Image.new("RGB", square.size)
    clean.paste(square)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
