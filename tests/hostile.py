"""Hostile spreadsheets, built in memory a piece at a time (a file that unpacks to 1.5 GB is
never held unpacked). Used by the upload tests, at sizes scaled to the limits they set, and
by bench/uploads.py at the sizes an attacker used."""

import io
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _skeleton(archive, sheets):
    names = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i, _name in enumerate(sheets, 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i, _name in enumerate(sheets, 1)
    )
    archive.writestr(
        "[Content_Types].xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        f"{overrides}</Types>",
    )
    archive.writestr(
        "_rels/.rels",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    archive.writestr(
        "xl/workbook.xml",
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {R_NS}><sheets>{names}</sheets>'
        "</workbook>",
    )
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}"
        '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )


def workbook(sheets, strings=(), *, sheet_xml=None, strings_xml=None):
    """An XLSX from parts: `sheets` {name: iterable of XML text pieces for its <sheetData>},
    or whole parts as iterables of pieces in sheet_xml {name: ...} / strings_xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _skeleton(archive, list(sheets))
        for i, (name, rows) in enumerate(sheets.items(), 1):
            pieces = (sheet_xml or {}).get(name) or _sheet(rows)
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as part:
                for piece in pieces:
                    part.write(piece.encode())
        pieces = strings_xml or _strings(strings)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            for piece in pieces:
                part.write(piece.encode())
    return buffer.getvalue()


def _sheet(rows, dimension=None):
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    yield from rows
    yield "</sheetData></worksheet>"


def _strings(strings):
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst {NS}>'
    for text in strings:
        yield f"<si><t>{text}</t></si>"
    yield "</sst>"


def row(number, *cells):
    """A row of inline-string cells."""
    inner = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(cells)
    )
    return f'<row r="{number}">{inner}</row>'


# --- the attacker's files ----------------------------------------------------------------


def one_huge_cell(chars=300_000_000, sheets=("reports", "milestones")):
    """One shared string of `chars` characters (300 MB unpacks from about 300 KB)."""

    def strings():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst {NS}><si><t>'
        chunk = "A" * 1_000_000
        for _ in range(chars // len(chunk)):
            yield chunk
        yield "A" * (chars % len(chunk))
        yield "</t></si></sst>"

    cell = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return workbook({name: [cell] for name in sheets}, strings_xml=strings())


def endless_rows(rows=60_000_000, sheets=("reports", "milestones")):
    """Rows of XML with no <dimension> and no numbers: 60 million unpack to about 1.5 GB
    and pack to a few MB."""

    def pieces():
        chunk = "<row><c><v>1</v></c></row>" * 10_000
        for _ in range(rows // 10_000):
            yield chunk

    first, *others = sheets
    return workbook({first: pieces(), **{name: [] for name in others}})


def far_dimension(sheets=("reports", "milestones")):
    """A7 KB file declaring A1:XFD1048576, with one row numbered 1048576."""
    last = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    parts = {name: _sheet([last], dimension="A1:XFD1048576") for name in sheets}
    return workbook({name: [] for name in sheets}, sheet_xml=parts)


def many_rows(rows=1_000_000, sheets=("reports", "milestones"), header=()):
    """A million short rows (about 2.5 MB packed)."""

    def pieces():
        if header:
            yield row(1, *header)
        yield "<row><c><v>1</v></c></row>" * rows

    first, *others = sheets
    return workbook({first: pieces(), **{name: [] for name in others}})


def wide_row(cells=100_000, sheets=("reports", "milestones")):
    """One row of `cells` cells."""
    inner = "".join(f'<c r="A2"><v>{n}</v></c>' for n in range(cells))
    return workbook({name: [f'<row r="2">{inner}</row>'] for name in sheets})


def entity_bomb(sheets=("reports", "milestones")):
    """Billion laughs in the shared strings (a DTD with nested entities)."""
    lol = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    strings = [
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<!DOCTYPE sst [<!ENTITY l0 "lol">{lol}]><sst {NS}><si><t>&l9;</t></si></sst>'
    ]
    cell = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return workbook({name: [cell] for name in sheets}, strings_xml=strings)


def truncated_sheet(sheets=("reports", "milestones")):
    parts = {
        name: [f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData><row r="1">']
        for name in sheets
    }
    return workbook({name: [] for name in sheets}, sheet_xml=parts)


def string_index_out_of_range(sheets=("reports", "milestones")):
    cell = '<row r="1"><c r="A1" t="s"><v>999</v></c></row>'
    return workbook({name: [cell] for name in sheets}, strings=["only one"])


def not_a_zip():
    return b"PK\x03\x04 this is not really a zip" + b"\x00" * 100


def million_row_csv(rows=1_000_000, header="project,title,planned_date"):
    """A million short rows (about 6 MB)."""
    lines = [header] + [f"P,{n % 100},1" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()
