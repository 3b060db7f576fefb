"""Files to upload in tests: good photos and PDFs, and each kind of bad file."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(size=(64, 32), *, gps=True, orientation=None, color="red"):
    """A JPEG, with GPS coordinates and a camera make in its EXIF by default."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 14.0, 40.0)}
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def image_bytes(fmt, size=(40, 30)):
    out = io.BytesIO()
    Image.new(
        "RGBA" if fmt != "JPEG" else "RGB", size, (0, 128, 0, 200)[: 4 if fmt != "JPEG" else 3]
    ).save(out, format=fmt)
    return out.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side=30_000):
    """A small PNG whose header claims side × side pixels (900 million by default)."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    data = zlib.compress(row * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


def pdf_bytes(extra=b""):
    """A minimal one-page PDF; `extra` goes into its catalogue."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra + b" >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def pdf_with_compressed(content):
    stream = zlib.compress(content)
    return (
        b"%PDF-1.5\n1 0 obj << /Type /Catalog >> endobj\n"
        b"4 0 obj << /Type /ObjStm /Filter /FlateDecode /Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


BAD_FILES = {
    # a program renamed .jpg (a Windows executable's first bytes)
    "program": ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
    "elf": ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),
    "html": ("photo.png", b"<html><script>alert(1)</script></html>"),
    "truncated": ("photo.jpg", None),  # filled in below
    "bomb": ("photo.png", bomb_png()),
    "pdf_javascript": (
        "approval.pdf",
        pdf_bytes(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
    ),
    "pdf_escaped_javascript": ("approval.pdf", pdf_bytes(b"/OpenAction << /S /J#61vaScript >>")),
    "pdf_compressed_javascript": (
        "approval.pdf",
        pdf_with_compressed(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
    ),
    "pdf_launch": ("approval.pdf", pdf_bytes(b"/OpenAction << /S /Launch /F (cmd.exe) >>")),
    "pdf_embedded_file": ("approval.pdf", pdf_bytes(b"/Names << /EmbeddedFiles 5 0 R >>")),
    "pdf_truncated": ("approval.pdf", pdf_bytes()[:-20]),
    "empty": ("photo.jpg", b""),
}
BAD_FILES["truncated"] = ("photo.jpg", jpeg_bytes(size=(400, 300))[:600])


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root):
    """Every file under the media folder (none when it was never made)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
