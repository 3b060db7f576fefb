"""Files people attach to records (a month's site photos, a milestone's approval document, a
supervision reply): what is accepted, how it is checked and cleaned before anything is
kept, where it is stored and how it is sent back. The models (projects.models.StoredFile and
its concrete kinds) hold what this module produced; every upload path (the report form, the
department workbook, the milestone page, a supervision reply) goes through check_upload().

What is checked, in order, reading at most ATTACHMENT_MAX_BYTES + 1 bytes of an upload:

- the size (ATTACHMENT_MAX_BYTES), then the type from the first bytes (never the name):
  JPEG, PNG, WebP or PDF; anything else is refused;
- a photo: Pillow opens it, its pixels are counted from the header before any is decoded
  (ATTACHMENT_MAX_PIXELS: a decompression bomb is refused unread), it is verified and
  decoded in full (a truncated file is refused), turned upright by its EXIF orientation and
  saved again from its pixels alone: no EXIF (GPS included), XMP or comment survives. A
  thumbnail (THUMBNAIL_SIZE) is made from it;
- a PDF: it must start with %PDF- and end with %%EOF; one that can run something when
  opened (JavaScript, /Launch, an embedded file, an additional action) is refused, as is
  an encrypted one, whose content cannot be read. The dictionaries are read where they are
  (outside streams, and in Flate-compressed object streams, within a bound), with names
  written with #xx escapes decoded; pictures and fonts are not read, so a scan's bytes
  cannot refuse it by chance.

Stored files are named by a random token and their real extension only: the name reveals
neither the project, the uploader nor the original file name (kept, cleaned, for display).
"""

import hashlib
import io
import re
import secrets
import unicodedata
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (320, 320)
PHOTO_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
PDF_TYPE = ("application/pdf", "pdf")
# Bytes of Flate-compressed PDF streams read back, in all, to look for hidden names.
PDF_MAX_INFLATED = 50_000_000
# What a PDF may not hold: code, programs, files inside it, actions run on opening or on
# a page (/AA), and encryption (its content cannot be checked).
PDF_REFUSED = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|AA|RichMedia|Encrypt)(?![A-Za-z0-9])"
)
PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n")


@dataclass(frozen=True)
class Checked:
    """An upload that passed: the bytes to keep (re-encoded for a photo), its thumbnail
    (photos only), what it is, and its display name."""

    kind: str  # "photo" or "pdf"
    content_type: str
    extension: str
    data: bytes
    thumbnail: bytes | None
    name: str

    @property
    def size(self):
        return len(self.data)

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


def refuse(name, message):
    return ValidationError(
        _("“%(name)s” is refused: %(reason)s Nothing was saved.")
        % {"name": name, "reason": message}
    )


def display_name(original):
    """The uploader's file name as shown to readers: its last part only, without control
    or format characters, at most 100 characters; "file" when nothing is left."""
    base = re.split(r"[\\/]", original or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    return base[-100:] or "file"


def sniff(head):
    """The type of a file from its first bytes: "JPEG", "PNG", "WEBP", "PDF" or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"%PDF-"):
        return "PDF"
    return None


def check_upload(upload, *, photos_only=False):
    """Read, check and clean one uploaded file (an UploadedFile or any object with read()
    and name). Returns Checked, or raises ValidationError saying why it is refused."""
    name = display_name(getattr(upload, "name", ""))
    limit = settings.ATTACHMENT_MAX_BYTES
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise refuse(name, _("a file may be at most %(mb)s MB.") % {"mb": f"{limit / 1_000_000:g}"})
    if not data:
        raise refuse(name, _("the file is empty."))
    kind = sniff(data[:16])
    if kind is None or (photos_only and kind == "PDF"):
        allowed = (
            _("a photo (JPEG, PNG or WebP)")
            if photos_only
            else _("a photo (JPEG, PNG or WebP) or a PDF")
        )
        raise refuse(
            name, _("it is not %(allowed)s, whatever its name says.") % {"allowed": allowed}
        )
    if kind == "PDF":
        check_pdf(data, name)
        return Checked("pdf", *PDF_TYPE, data, None, with_extension(name, PDF_TYPE[1]))
    photo, thumbnail = clean_photo(data, kind, name)
    content_type, extension = PHOTO_TYPES[kind]
    return Checked(
        "photo", content_type, extension, photo, thumbnail, with_extension(name, extension)
    )


def with_extension(name, extension):
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:90]}.{extension}"


def clean_photo(data, kind, name):
    """The photo saved again from its pixels (upright, no metadata) and its thumbnail."""
    broken = refuse(name, _("the photo is damaged or incomplete."))
    too_large = refuse(
        name,
        _("the photo has more than %(mp)s million pixels.")
        % {"mp": f"{settings.ATTACHMENT_MAX_PIXELS / 1_000_000:g}"},
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != kind:
                raise broken
            width, height = image.size
            if width * height > settings.ATTACHMENT_MAX_PIXELS:
                raise too_large
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return reencode(image, kind)
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, met before ours on opening
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise broken from None


def reencode(image, kind):
    """The decoded photo turned upright and saved from its pixels alone (its metadata
    dropped), then shrunk in place to its thumbnail: at most one more copy of the pixels
    than the decoded photo (a conversion), for memory's sake (40 million pixels are 120 MB)."""
    ImageOps.exif_transpose(image, in_place=True)
    mode = image.mode
    if kind == "JPEG" and mode not in ("RGB", "L"):
        mode = "RGB"
    elif mode not in ("RGB", "RGBA", "L", "LA", "P"):
        mode = "RGBA" if "A" in mode or "transparency" in image.info else "RGB"
    pixels = image.convert(mode) if mode != image.mode else image
    pixels.info = {}  # EXIF (GPS included), XMP, ICC, comments: none is written again
    out = io.BytesIO()
    options = {"quality": 88} if kind in ("JPEG", "WEBP") else {"optimize": True}
    pixels.save(out, format=kind, **options)
    thumb = pixels.convert("RGBA") if pixels.mode in ("P", "LA") else pixels
    thumb.thumbnail(THUMBNAIL_SIZE)
    if thumb.mode != "RGB":
        background = Image.new("RGB", thumb.size, "white")
        background.paste(thumb, mask=thumb.getchannel("A") if "A" in thumb.mode else None)
        thumb = background
    small = io.BytesIO()
    thumb.save(small, format="JPEG", quality=80)
    return out.getvalue(), small.getvalue()


def check_pdf(data, name):
    damaged = refuse(name, _("the PDF is damaged or incomplete."))
    if b"%%EOF" not in data[-1024:]:
        raise damaged
    try:
        parts = list(pdf_parts(data))
    except PdfDamaged:
        raise damaged from None
    for part in parts:
        if PDF_REFUSED.search(PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), part)):
            raise refuse(
                name,
                _(
                    "the PDF holds scripts, actions, embedded files or encryption; save it again "
                    "as a plain PDF (print to PDF)."
                ),
            )


def pdf_parts(data):
    """Where a PDF's names are: its bytes outside streams (the objects' dictionaries), then
    each object stream (/Type /ObjStm, where a PDF 1.5 keeps dictionaries) inflated, within
    PDF_MAX_INFLATED in all. Other streams hold pictures, fonts and drawing, whose bytes may
    spell anything by chance (a scanned approval in a JPEG stream): they are not read.
    A stream that is damaged or not Flate is skipped: it cannot hold a name."""
    outside, object_streams, pos = [], [], 0
    for match in PDF_STREAM.finditer(data):
        if match.start() < pos:
            continue  # inside a stream already skipped, or its "endstream"
        head = data[pos : match.start()]
        outside.append(head)
        dictionary = head[head.rfind(b"obj") :]
        body_end, end = stream_end(data, match.end(), dictionary)
        if b"/ObjStm" in dictionary:
            object_streams.append(data[match.end() : body_end])
        outside.append(data[body_end:end])
        pos = end + len(b"endstream")
    outside.append(data[pos:])
    yield b"".join(outside)
    budget = PDF_MAX_INFLATED
    for body in object_streams:
        if budget <= 0:
            return
        try:
            part = zlib.decompressobj().decompress(body, budget)
        except zlib.error:
            continue
        budget -= len(part)
        yield part


PDF_LENGTH = re.compile(rb"/Length\s+(\d{1,10})(?!\s+\d+\s+R)")


def stream_end(data, start, dictionary):
    """(end of the stream's data, its "endstream"): the data are its /Length bytes when
    the length is written in its dictionary (anything between them and "endstream" is read
    as the PDF's own bytes, so no object can hide there), else all up to "endstream". A
    stream without an end is a damaged PDF (PdfDamaged)."""
    end = data.find(b"endstream", start)
    if end == -1:
        raise PdfDamaged
    length = PDF_LENGTH.search(dictionary)
    if length and start + int(length.group(1)) <= end:
        return start + int(length.group(1)), end
    return end, end


class PdfDamaged(Exception):
    pass


# --- storage and sending ---------------------------------------------------------------


def new_name(extension, *, folder="attachments"):
    """A name that reveals nothing: a random token and the real extension."""
    return f"{folder}/{secrets.token_urlsafe(24)}.{extension}"


def store(row, checked):
    """Put the checked file (and its thumbnail) in storage and fill `row`, a StoredFile,
    with what describes it. Returns the names stored, for remove() if the save fails."""
    row.kind, row.content_type = checked.kind, checked.content_type
    row.size, row.sha256, row.name = checked.size, checked.sha256, checked.name
    stored = []
    row.file.save(new_name(checked.extension), ContentFile(checked.data), save=False)
    stored.append(row.file.name)
    if checked.thumbnail is not None:
        row.thumbnail.save(
            new_name("jpg", folder="thumbnails"), ContentFile(checked.thumbnail), save=False
        )
        stored.append(row.thumbnail.name)
    return stored


def remove(names):
    """Delete stored files by name (after a refused or failed save, or a deletion)."""
    for name in names:
        if name:
            default_storage.delete(name)


def send(row, *, thumbnail=False):
    """The response that sends a stored file the caller has already authorized. With
    FILES_ACCEL_REDIRECT set (a proxy path such as /protected-files/), the proxy sends the
    file itself (nginx's X-Accel-Redirect, an internal location over MEDIA_ROOT); otherwise
    the app streams it from storage."""
    field = row.thumbnail if thumbnail else row.file
    if not field:
        raise Http404
    content_type = "image/jpeg" if thumbnail else row.content_type
    inline = row.kind == "photo"
    prefix = settings.FILES_ACCEL_REDIRECT
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + field.name
    else:
        try:
            handle = field.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, row.name)
    response["X-Content-Type-Options"] = "nosniff"
    # A file never runs anything in the page that shows it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def keep(rows, checked_files, *, by):
    """Store each checked file on its unsaved row (a StoredFile naming its record), validate
    the row by the model's rules (the count per record among them) and save it. If one is
    refused or fails, every file stored by this call is removed before the error goes on:
    no file is left in storage without its row."""
    stored = []
    try:
        for row, checked in zip(rows, checked_files, strict=True):
            row.uploaded_by = by
            row._history_user = by
            stored += store(row, checked)
            row.full_clean()
            row.save()
    except BaseException:
        remove(stored)
        raise
    return rows


def check_all(uploads, *, photos_only=False, most=None):
    """check_upload() over several uploads (at most `most`, by default the files one record
    may hold): all checked, or a ValidationError naming every refused one (nothing is
    stored yet either way)."""
    checked, errors = [], []
    most = most or settings.ATTACHMENT_MAX_PER_RECORD
    if len(uploads) > most:
        raise ValidationError(
            _("At most %(max)s files at once; nothing was saved.") % {"max": most}
        )
    for upload in uploads:
        try:
            checked.append(check_upload(upload, photos_only=photos_only))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def remove_after_delete(sender, instance, **kwargs):
    """post_delete of every StoredFile kind (a deletion in the admin, or its record's):
    the files leave storage once the deletion is committed; the history record keeps the
    name, size, SHA-256, who uploaded it and who deleted it, and when."""
    names = [instance.file.name, instance.thumbnail.name]
    transaction.on_commit(lambda: remove(names))
