#!/usr/bin/env python3
"""
make_fixtures — the comment tables tests/unit/test_sheet.c and test_comment_table.c read.

    python3 tests/sheets/make_fixtures.py OUTDIR     (writes OUTDIR/sheets/ and OUTDIR/sheet_fixtures.stamp)

Standard library only (zipfile and hand-written XML), plus pandoc for the Word
table. The XLSX files are written in the shapes the programs people use write
them, so that the reader is tested against those and not against one library's
output:

  excel.xlsx        Excel: shared strings (t="s") with a rich text run and a
                    phonetic guide, the template's title rows above the header,
                    the numbering row "(1)".."(7)" under it, a skipped column,
                    an empty <row/>, numbers as Excel writes them
                    (5.2000000000000002), a boolean, a formula's cached text.
  libreoffice.xlsx  LibreOffice Calc: shared strings, its row attributes, French
                    headers with accents in another order, the first sheet
                    being sheet2.xml (found through workbook.xml and its rels),
                    a merged title A1:F1 and a member body merged down A3:A5.
  inline.xlsx       openpyxl-like: inline strings (t="inlineStr"), no
                    sharedStrings.xml, rows and cells without their r.
  bomb.xlsx         a sheet that inflates to 80 MiB of spaces (a zip bomb).
  bomb_lying.xlsx   the same, its declared size patched to 1000 bytes: only
                    counting while inflating finds it.
  rows5000.xlsx, rows5000.csv   5,000 comments.
  rows100k.xlsx     100,000 rows (more than the limit).
  empty_cells.xlsx  2 million empty cells in one row (read in constant memory).
  shared_bomb.xlsx  a 60 KiB shared string in 300,000 cells (read without copying it).
  semicolon_bom.csv UTF-8 with BOM, semicolons, quoted cells with newlines and
                    doubled quotes, CRLF (Excel's "CSV UTF-8" in French).
  plain.csv         comma, no BOM, LF.
  unicode.txt       UTF-16LE with BOM and tabs (Excel's "Unicode text").
  latin1.csv        not UTF-8.
  table.docx        a Word document whose first table is the comment table
                    (pandoc from Markdown); notable.docx has no table.
  image.png, random.bin, letter.txt   not tables.
"""

import io
import os
import random
import struct
import subprocess
import sys
import zipfile
import zlib

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

HEADER_EN = ["MB/NC\u00b9", "Line number", "Clause No./\nSubclause No./\nAnnex\n(e.g. 3.1)",
             "Paragraph/\nFigure/\nTable/\nNote\n(e.g. Table 1)", "Type of comment\u00b2", "Comments",
             "Proposed change", "Observations of the secretariat"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def content_types(extra=""):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + extra + '</Types>')


def package_rels():
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')


def workbook(sheets):
    """sheets: [(name, rId)] in the order the workbook lists them (the first is read)."""
    items = "".join(f'<sheet name="{esc(n)}" sheetId="{i + 1}" r:id="{rid}"/>' for i, (n, rid) in enumerate(sheets))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets>{items}</sheets></workbook>')


def workbook_rels(targets, strings=True):
    """targets: [(rId, target)]."""
    rels = "".join(f'<Relationship Id="{rid}" Type="{REL}/worksheet" Target="{t}"/>' for rid, t in targets)
    if strings:
        rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    rels += f'<Relationship Id="rIdT" Type="{REL}/styles" Target="styles.xml"/>'
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG}">{rels}</Relationships>'


STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}"><fonts count="1">'
          '<font><sz val="11"/></font></fonts></styleSheet>')


class Strings:
    def __init__(self):
        self.items, self.index = [], {}

    def add(self, s, xml=None):
        key = xml or s
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(xml or f'<t xml:space="preserve">{esc(s)}</t>')
        return self.index[key]

    def xml(self):
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<sst xmlns="{MAIN}" count="{len(self.items)}" uniqueCount="{len(self.items)}">'
                + "".join(f"<si>{x}</si>" for x in self.items) + "</sst>")


def write_zip(path, parts):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            z.writestr(name, data)


def xlsx(path, sheet_xml, strings=None, sheets=None, targets=None):
    sheets = sheets or [("Sheet1", "rId1")]
    targets = targets or [("rId1", "worksheets/sheet1.xml")]
    parts = [("[Content_Types].xml", content_types()), ("_rels/.rels", package_rels()),
             ("xl/workbook.xml", workbook(sheets)),
             ("xl/_rels/workbook.xml.rels", workbook_rels(targets, strings is not None)),
             ("xl/styles.xml", STYLES)]
    if strings is not None:
        parts.append(("xl/sharedStrings.xml", strings.xml()))
    parts += sheet_xml
    write_zip(path, parts)


def excel(out):
    """Excel's shape: shared strings, spans, x14ac, mc:Ignorable; the ISO template's layout."""
    st = Strings()
    rows = []

    def s(text, ref, xml=None):
        return f'<c r="{ref}" s="3" t="s"><v>{st.add(text, xml)}</v></c>'

    rows.append('<row r="1" spans="1:8" x14ac:dyDescent="0.25">' + s("Date: 2026-11-30", "A1")
                + s("Document: N 1234", "C1") + "</row>")
    rows.append('<row r="3" spans="1:8" ht="60" customHeight="1" x14ac:dyDescent="0.25">'
                + "".join(s(h, f"{col(i)}3") for i, h in enumerate(HEADER_EN)) + "</row>")
    rows.append('<row r="4" spans="1:8">' + "".join(s(f"({i + 1})", f"{col(i)}4") for i in range(8)) + "</row>")
    # row 5: a rich text comment (two runs, a phonetic guide that is not text), ¶3, technical
    rich = ('<r><rPr><b/><sz val="11"/></rPr><t>Bold start</t></r><r><rPr><sz val="11"/></rPr>'
            '<t xml:space="preserve"> and the rest.</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh>')
    rows.append('<row r="5" spans="1:8">' + s("FR", "A5") + '<c r="B5"><v>12</v></c>'
                + '<c r="C5" s="2"><v>5.2000000000000002</v></c>' + s("\u00b63", "D5") + s("te", "E5")
                + s("", "F5", rich) + s("Say it better.", "G5") + s("Accepted", "H5") + "</row>")
    rows.append('<row r="6" spans="1:8"/>')  # empty, as Excel leaves a formatted row
    # row 7: column B and C skipped; a paragraph that does not exist; editorial
    rows.append('<row r="7" spans="1:8">' + s("DE", "A7") + s("9.9", "D7") + s("ed", "E7")
                + s("Typo in the title.", "F7") + "</row>")
    # row 8: a number paragraph (3 typed in a number cell), a formula's cached string, a boolean
    rows.append('<row r="8">' + s("GB", "A8") + '<c r="D8"><v>7</v></c>' + s("general", "E8")
                + '<c r="F8" t="str"><f>CONCATENATE("A ","formula")</f><v>A formula</v></c>'
                + '<c r="G8" t="b"><v>1</v></c></row>')
    # row 9: no comment text: skipped with a note
    rows.append('<row r="9">' + s("US", "A9") + s("\u00b64", "D9") + s("te", "E9") + "</row>")
    # row 10: an unknown type
    rows.append('<row r="10">' + s("JP", "A10") + s("p2", "D10") + s("question", "E10")
                + s("Why?", "F10") + "</row>")
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}" '
             'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
             'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
             '<dimension ref="A1:H10"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
             '<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><cols><col min="1" max="1" width="9"/></cols>'
             f'<sheetData>{"".join(rows)}</sheetData>'
             '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    xlsx(os.path.join(out, "excel.xlsx"), [("xl/worksheets/sheet1.xml", sheet)], st)


def libreoffice(out):
    """LibreOffice Calc's shape; French headers in another order; the first sheet is sheet2.xml."""
    st = Strings()
    attrs = 'customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false"'

    def row(r, cells):
        return f'<row r="{r}" {attrs}>' + "".join(cells) + "</row>"

    def s(text, ref):
        return f'<c r="{ref}" s="0" t="s"><v>{st.add(text)}</v></c>'

    header = ["Organisme membre", "Type de commentaire", "Commentaires", "Modifications propos\u00e9es",
              "No. de l'article", "Paragraphe/Figure/Tableau/Note", "OBSERVATIONS DU SECR\u00c9TARIAT"]
    rows = [row(1, [s("Tableau de commentaires", "A1")]),
            row(2, [s(h, f"{col(i)}2") for i, h in enumerate(header)]),
            row(3, [s("AFNOR", "A3"), s("r\u00e9dactionnel", "B3"), s("Une virgule manque.", "C3"),
                    s("Ajouter une virgule.", "D3"), s("4.1", "E3"), s("\u00b62", "F3")]),
            row(4, [s("Technique", "B4"), s("Le seuil est trop bas.", "C4"), s("para 1", "F4"),
                    s("Vu", "G4")]),
            f'<row r="5" {attrs}/>',
            row(6, [s("G\u00e9n\u00e9ral", "B6"), s("Le texte est long.", "C6"), '<c r="E6" s="0" t="n"><v>3</v></c>'])]
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetPr filterMode="false"><pageSetUpPr fitToPage="false"/>'
             '</sheetPr><dimension ref="A1:G6"/><sheetViews><sheetView showFormulas="false" workbookViewId="0">'
             '</sheetView></sheetViews><sheetFormatPr defaultColWidth="11.53515625" defaultRowHeight="12.8" '
             f'zeroHeight="false" outlineLevelRow="0" outlineLevelCol="0"></sheetFormatPr><sheetData>{"".join(rows)}'
             '</sheetData><mergeCells count="2"><mergeCell ref="A1:F1"/><mergeCell ref="A3:A6"/></mergeCells>'
             '<printOptions headings="false" gridLines="false"/></worksheet>')
    other = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Not this sheet</t>'
             '</is></c></row></sheetData></worksheet>')
    xlsx(os.path.join(out, "libreoffice.xlsx"),
         [("xl/worksheets/sheet1.xml", other), ("xl/worksheets/sheet2.xml", sheet)], st,
         sheets=[("Commentaires", "rId2"), ("Autre", "rId1")],
         targets=[("rId1", "worksheets/sheet1.xml"), ("rId2", "/xl/worksheets/sheet2.xml")])


def inline(out):
    """openpyxl-like inline strings; rows and cells without r; no shared strings part."""
    def c(text):
        return f'<c t="inlineStr"><is><t>{esc(text)}</t></is></c>'
    rows = ["<row>" + "".join(c(h) for h in ["Paragraph", "Type", "Comment", "Proposed change"]) + "</row>",
            "<row>" + c("1") + c("ed") + '<c t="inlineStr"><is><r><t>Rich </t></r><r><t>inline</t></r></is></c>'
            + "</row>",
            '<row r="4"><c r="C4" t="inlineStr"><is><t>Fourth row, general</t></is></c>'
            '<c r="D4" t="inlineStr"><is><t>  spaces around  </t></is></c></row>']
    sheet = f'<?xml version="1.0"?>\n<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    xlsx(os.path.join(out, "inline.xlsx"), [("xl/worksheets/sheet1.xml", sheet)])


def big_sheet(rows, st):
    """A sheet of a header and `rows` comments, as bytes."""
    head = ["Paragraph", "Type of comment", "Comments", "Proposed change"]
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData><row r="1">']
    parts += [f'<c r="{col(i)}1" t="s"><v>{st.add(h)}</v></c>' for i, h in enumerate(head)]
    parts.append("</row>")
    for r in range(2, rows + 2):
        parts.append(f'<row r="{r}"><c r="A{r}"><v>{r % 7 + 1}</v></c><c r="B{r}" t="s"><v>{st.add("te")}</v></c>'
                     f'<c r="C{r}" t="inlineStr"><is><t>Comment number {r - 1} on this paragraph.</t></is></c>'
                     f'<c r="D{r}" t="inlineStr"><is><t>Change {r - 1}</t></is></c></row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def big(out, rows, name):
    st = Strings()
    sheet = big_sheet(rows, st)
    xlsx(os.path.join(out, name), [("xl/worksheets/sheet1.xml", sheet)], st)


def bomb(out):
    """80 MiB of empty rows inside the sheet: about 80 KB compressed."""
    path = os.path.join(out, "bomb.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types())
        z.writestr("_rels/.rels", package_rels())
        z.writestr("xl/workbook.xml", workbook([("Sheet1", "rId1")]))
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels([("rId1", "worksheets/sheet1.xml")], False))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as f:
            f.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            chunk = b"<row/>" * (1024 * 1024 // 6)
            for _ in range(80):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    data = bytearray(open(path, "rb").read())
    # The same archive whose sheet says it is 1000 bytes (local header and central directory): only
    # counting the bytes that come out finds it.
    name = b"xl/worksheets/sheet1.xml"
    loc = data.find(b"PK\x03\x04")
    while loc >= 0:
        n = struct.unpack_from("<H", data, loc + 26)[0]
        if data[loc + 30:loc + 30 + n] == name:
            struct.pack_into("<I", data, loc + 22, 1000)
            break
        loc = data.find(b"PK\x03\x04", loc + 4)
    cen = data.find(b"PK\x01\x02")
    while cen >= 0:
        n = struct.unpack_from("<H", data, cen + 28)[0]
        if data[cen + 46:cen + 46 + n] == name:
            struct.pack_into("<I", data, cen + 24, 1000)
        cen = data.find(b"PK\x01\x02", cen + 4)
    open(os.path.join(out, "bomb_lying.xlsx"), "wb").write(bytes(data))


def empty_cells(out):
    """A header, then one row of 2 million empty cells with their attributes (44 MiB inflated, 45 KB zipped):
    read in constant memory."""
    path = os.path.join(out, "empty_cells.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types())
        z.writestr("_rels/.rels", package_rels())
        z.writestr("xl/workbook.xml", workbook([("Sheet1", "rId1")]))
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels([("rId1", "worksheets/sheet1.xml")], False))
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Comments</t>'
                    '</is></c></row><row r="2">'.encode())
            chunk = b'<c r="B2" s="1" t="s"/>' * 100000
            for _ in range(20):
                f.write(chunk)
            f.write(b"</row></sheetData></worksheet>")


def shared_bomb(out):
    """One shared string of 60 KiB used by 5,000 rows of 60 cells: 18 GB if each cell had its copy."""
    st = Strings()
    st.add("Comments")
    st.add("x" * 60 * 1024)
    parts = [f'<?xml version="1.0"?>\n<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c t="s"><v>0</v></c></row>']
    row = "".join('<c t="s"><v>1</v></c>' for _ in range(60))
    for r in range(2, 5002):
        parts.append(f'<row r="{r}">{row}</row>')
    parts.append("</sheetData></worksheet>")
    xlsx(os.path.join(out, "shared_bomb.xlsx"), [("xl/worksheets/sheet1.xml", "".join(parts))], st)


def csvs(out):
    semicolon = ('Organisme membre;No. de l\'article;Paragraphe;Type de commentaire;Commentaires;'
                 'Modifications propos\u00e9es\r\n'
                 'AFNOR;5.2;\u00b62;te;"Deux lignes :\r\npremi\u00e8re; seconde";"Dire ""toujours"""\r\n'
                 ';;;;;\r\n'
                 'DIN;;\u00b63;ed;Kurz.;\r\n')
    open(os.path.join(out, "semicolon_bom.csv"), "wb").write(b"\xef\xbb\xbf" + semicolon.encode())
    plain = 'Clause,Type of comment,Comments,Proposed change\n3,ge,"A, with a comma",\n\n"\u00b61",te,Second,Do\n'
    open(os.path.join(out, "plain.csv"), "wb").write(plain.encode())
    unicode = 'Paragraph\tType of comment\tComments\n\u00b61\ted\tUnicode \u00e9t\u00e9 \U0001F600\n'
    open(os.path.join(out, "unicode.txt"), "wb").write(b"\xff\xfe" + unicode.encode("utf-16-le"))
    open(os.path.join(out, "latin1.csv"), "wb").write("Paragraph;Comments\n1;\u00e9t\u00e9\n".encode("latin-1"))
    rows = ["Paragraph,Type of comment,Comments"] + [f"{r % 7 + 1},ed,Comment {r}" for r in range(1, 5001)]
    open(os.path.join(out, "rows5000.csv"), "w").write("\n".join(rows) + "\n")
    open(os.path.join(out, "letter.txt"), "w").write("Dear secretariat,\n\nWe have no comments.\n\nRegards\n")


def docx(out):
    md = ("Our comments on the draft.\n\n"
          "| MB/NC | Paragraph | Type of comment | Comments | Proposed change |\n"
          "|---|---|---|---|---|\n"
          "| CH | \u00b62 | te | The limit is too low. | Raise it. |\n"
          "| CH | \u00b699 | ed | No such paragraph. |  |\n\n"
          "| Second | table |\n|---|---|\n| not | read |\n")
    subprocess.run(["pandoc", "--from", "markdown", "--to", "docx", "-o", os.path.join(out, "table.docx")],
                   input=md.encode(), check=True)
    subprocess.run(["pandoc", "--from", "markdown", "--to", "docx", "-o", os.path.join(out, "notable.docx")],
                   input=b"Only a letter, no table.\n", check=True)


def not_tables(out):
    png = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    png += struct.pack(">I", zlib.crc32(png[12:29]))
    open(os.path.join(out, "image.png"), "wb").write(png + b"\x00" * 20)
    rnd = random.Random(8)
    open(os.path.join(out, "random.bin"), "wb").write(bytes(rnd.randrange(256) for _ in range(4096)))


def main():
    out = os.path.join(sys.argv[1], "sheets")
    os.makedirs(out, exist_ok=True)
    excel(out)
    libreoffice(out)
    inline(out)
    big(out, 5000, "rows5000.xlsx")
    big(out, 100000, "rows100k.xlsx")
    bomb(out)
    empty_cells(out)
    shared_bomb(out)
    csvs(out)
    docx(out)
    not_tables(out)
    # the stamp meson waits for, beside the directory
    open(os.path.join(sys.argv[1], "sheet_fixtures.stamp"), "w").write("ok\n")


if __name__ == "__main__":
    main()
