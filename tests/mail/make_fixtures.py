#!/usr/bin/env python3
"""
make_fixtures — writes tests/mail/fixtures/*.eml and their .json sidecars.

The fixture messages are written here, by hand, in the shapes the common
mail programs give their messages (Thunderbird, Outlook with winmail.dat,
Gmail, Apple Mail, a webmail; robots: an auto-reply, a bounce, a list); no
real mail is copied. Their attachments (PDF, Word, OpenDocument, a
spreadsheet, a picture, Outlook's TNEF) are made by the small writers below,
with the standard library only.

One case is one .eml file; its .json sidecar says how `consulta mail-in` is
run on it (recipient, envelope sender, clock, authserv-id) and what must come
of it (tests/integration/test_mail_in.py reads both). The .eml files are
committed, so the tests never depend on this script; run it again after
changing a case:

    python3 tests/mail/make_fixtures.py
"""

import base64
import io
import json
import os
import quopri
import struct
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

OPEN1 = "2021-02-01T10:00:00Z"   # call 1 open (written inputs, closes end of 15 Feb 2021 in Zurich)
LATE1 = "2021-02-16T09:00:00Z"   # call 1 closed, call 2 not open yet
OPEN2 = "2021-03-05T10:00:00Z"   # call 2 open (final inputs)
CALL1 = "written-inputs@gca-demo.example"
CALL2 = "final-inputs@gca-demo.example"
MTA = "mx.gca-demo.example"      # the authserv-id the tests trust


# -- attachments ---------------------------------------------------------------

def pdf(text):
    """A one-page PDF whose page says text (Helvetica), with a correct xref table."""
    stream = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def zipped(entries, stored_first=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i, (name, data) in enumerate(entries):
            info = zipfile.ZipInfo(name, date_time=(2021, 2, 1, 10, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if (stored_first and i == 0) else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def docx(paragraphs):
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    body = "".join('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % p for p in paragraphs)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s'
           '</w:body></w:document>' % body)
    return zipped([("[Content_Types].xml", ct), ("_rels/.rels", rels), ("word/document.xml", doc)])


def odt(paragraphs):
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    body = "".join("<text:p>%s</text:p>" % p for p in paragraphs)
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:text>%s</office:text></office:body></office:document-content>' % body)
    styles = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
              'office:version="1.2"><office:styles/></office:document-styles>')
    return zipped([("mimetype", "application/vnd.oasis.opendocument.text"), ("META-INF/manifest.xml", manifest),
                   ("content.xml", content), ("styles.xml", styles)], stored_first=True)


def xlsx():
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="Pillars" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>Legal measures</t></is></c></row>'
             '</sheetData></worksheet>')
    return zipped([("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
                   ("xl/_rels/workbook.xml.rels", wbrels), ("xl/worksheets/sheet1.xml", sheet)])


def png():
    """A 1x1 white PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def tnef(subject, body, files):
    """Outlook's winmail.dat (TNEF): a message body and attached files, with their checksums."""
    def attr(level, aid, data):
        return struct.pack("<BII", level, aid, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)
    out = struct.pack("<IH", 0x223E9F78, 0x0102)
    out += attr(1, 0x00089006, struct.pack("<I", 0x00010000))          # attTnefVersion
    out += attr(1, 0x00069007, struct.pack("<II", 1252, 0))            # attOemCodepage
    out += attr(1, 0x00078008, b"IPM.Microsoft Mail.Note\0")           # attMessageClass
    out += attr(1, 0x00018004, subject.encode("cp1252") + b"\0")       # attSubject
    out += attr(1, 0x0002800C, body.encode("cp1252"))                  # attBody
    for name, data in files:
        out += attr(2, 0x00069002, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))  # attAttachRendData
        out += attr(2, 0x00018010, name.encode("cp1252") + b"\0")      # attAttachTitle
        out += attr(2, 0x0006800F, data)                               # attAttachData
    return out


# -- message writing -------------------------------------------------------------

def b64(data):
    text = base64.b64encode(data).decode("ascii")
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def qp(text, charset):
    return quopri.encodestring(text.encode(charset)).decode("ascii").replace("\n", "\r\n")


def headers(**h):
    order = ["Return-Path", "Delivered-To", "Authentication-Results", "Received", "From", "To", "Cc", "Subject",
             "Date", "Message-ID", "In-Reply-To", "References", "User-Agent", "X-Mailer", "MIME-Version"]
    lines = []
    for k in order + [k for k in h if k not in order]:
        key = k.replace("_", "-")
        if k in h and h[k] is not None:
            for v in (h[k] if isinstance(h[k], list) else [h[k]]):
                lines.append("%s: %s" % (key, v))
    return "\r\n".join(lines) + "\r\n"


def part(ctype, body, cte=None, disposition=None, extra=None):
    h = "Content-Type: %s\r\n" % ctype
    if cte:
        h += "Content-Transfer-Encoding: %s\r\n" % cte
    if disposition:
        h += "Content-Disposition: %s\r\n" % disposition
    for line in extra or []:
        h += line + "\r\n"
    return h + "\r\n" + body


def multipart(subtype, boundary, parts, extra_params=""):
    body = "This is a multi-part message in MIME format.\r\n"
    for p in parts:
        body += "--%s\r\n%s\r\n" % (boundary, p)
    body += "--%s--\r\n" % boundary
    return 'multipart/%s; boundary="%s"%s' % (subtype, boundary, extra_params), body


def message(head, ctype, body, cte=None):
    text = head + "MIME-Version: 1.0\r\nContent-Type: %s\r\n" % ctype
    if cte:
        text += "Content-Transfer-Encoding: %s\r\n" % cte
    return text + "\r\n" + body


CASES = {}


def case(name, eml, run=None, expect=None):
    CASES[name] = (eml if isinstance(eml, bytes) else eml.encode("utf-8"), run or {}, expect or {})


DATE = "Mon, 01 Feb 2021 11:02:13 +0100"

# 1. Thunderbird, plain text, format=flowed, UTF-8
case("thunderbird-flowed",
     message(headers(From='"Ada Lovelace" <ada@example.org>', To=CALL1, Subject="Inputs on paragraph 3",
                     Date=DATE, Message_ID="<3f1c2a10-thunderbird@example.org>",
                     User_Agent="Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Thunderbird/102.7.1"),
             "text/plain; charset=UTF-8; format=flowed", "Dear secretariat,\r\n\r\nParagraph 3 should say who "
             "reports, \r\nand to whom, and how often the \r\nsecretariat reports to the Council.\r\n\r\n-- \r\n"
             "Ada Lovelace\r\nAnalytical Engines Ltd\r\n", "8bit"),
     {}, {"outcome": "accepted", "call": 1, "late": False, "receipt": True,
          "contribution": {"name": "Ada Lovelace", "sender": "ada@example.org", "subject": "Inputs on paragraph 3",
                           "sender_verification": "none",
                           "text_contains": ["Paragraph 3 should say who reports, and to whom, and how often the "
                                             "secretariat reports to the Council."],
                           "attachments": []}})

# 2. Thunderbird with a PDF whose name is RFC 2231-encoded
t, body = multipart("mixed", "------------tb8Yw1", [
    part("text/plain; charset=UTF-8; format=flowed", "Please find our comments attached.\r\n", "7bit"),
    part('application/pdf; name="Comments on =?UTF-8?Q?=C2=A73=2Epdf?="', b64(pdf("Paragraph 3 should name the reporting body.")),
         "base64", "attachment; filename*=UTF-8''Comments%20on%20%C2%A73.pdf"),
])
case("thunderbird-pdf",
     message(headers(From="Charles Babbage <charles@example.net>", To=CALL1, Subject="Comments (PDF)", Date=DATE,
                     Message_ID="<b2a7c1d4-pdf@example.net>",
                     User_Agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Thunderbird/102.7.1"), t, body),
     {}, {"outcome": "accepted", "call": 1, "receipt": True,
          "contribution": {"text_contains": ["Please find our comments attached."],
                           "attachments": [{"name": "Comments on \u00a73.pdf", "type": "application/pdf",
                                            "text_contains": "Paragraph 3 should name the reporting body."}]}})

# 3. Outlook with winmail.dat (TNEF) and a Windows-1252 quoted-printable text
t, body = multipart("mixed", "_000_DB8PR04MB_", [
    part("text/plain; charset=\"Windows-1252\"", qp("Dear colleagues,\n\nOur inputs are in the attached "
                                                   "files \u2013 see \u201cnotes\u201d.\n", "cp1252"),
         "quoted-printable"),
    part('application/ms-tnef; name="winmail.dat"', b64(tnef("Inputs", "Our inputs are attached.\r\n", [
        ("inputs.txt", "Paragraph 2: the scope should include partners.\r\n".encode("cp1252")),
        ("report.pdf", pdf("Annex: reporting lines")),
    ])), "base64", 'attachment; filename="winmail.dat"'),
])
case("outlook-winmail",
     message(headers(From="\"Grace Hopper\" <grace@example.com>", To=CALL1, Subject="Inputs from our delegation",
                     Date=DATE, Message_ID="<DB8PR04MB1234ABCD@DB8PR04MB.eurprd04.prod.outlook.com>",
                     X_Mailer="Microsoft Outlook 16.0", Thread_Index="AdcD8J1x2y3z4w==",
                     X_MS_Has_Attach="yes", X_MS_TNEF_Correlator="<DB8PR04MB1234ABCD@outlook.com>"), t, body),
     {}, {"outcome": "accepted", "call": 1, "receipt": True,
          "contribution": {"text_contains": ["Our inputs are in the attached files \u2013 see \u201cnotes\u201d."],
                           "attachments": [{"name": "inputs.txt", "type": "text/plain",
                                            "text_contains": "the scope should include partners"},
                                           {"name": "report.pdf", "type": "application/pdf",
                                            "text_contains": "Annex: reporting lines"}]}})

# 4. Outlook, HTML only, Windows-1252
html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
        "<style>p.MsoNormal{margin:0cm;font-family:\"Calibri\"}</style></head><body lang=\"EN-GB\">"
        "<div class=\"WordSection1\"><p class=\"MsoNormal\">Dear secretariat,<o:p></o:p></p>"
        "<p class=\"MsoNormal\">We propose to add \u201cpartners\u201d to section&nbsp;2 &amp; to the r\u00e9sum\u00e9."
        "<br>Kind regards,</p><ul><li>First point</li><li>Second point</li></ul>"
        "<p>See <a href=\"https://example.com/position\">our position</a>.</p></div></body></html>")
case("outlook-html-only",
     message(headers(From="\"Alan Turing\" <alan@example.com>", To=CALL1, Subject="Section 2", Date=DATE,
                     Message_ID="<AM0PR07MB5555@AM0PR07MB5555.eurprd07.prod.outlook.com>",
                     X_Mailer="Microsoft Outlook 16.0"),
             "text/html; charset=\"windows-1252\"", qp(html, "cp1252"), "quoted-printable"),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text_contains": ["We propose to add \u201cpartners\u201d to section\u00a02 & to the "
                                             "r\u00e9sum\u00e9.\nKind regards,", "- First point",
                                             "our position <https://example.com/position>"],
                           "text_excludes": ["MsoNormal", "Calibri", "<p"]}})

# 5. Gmail, multipart/alternative in base64, verified by the receiving MTA
plain = "Hello,\n\nWe support the revised draft, with one change: paragraph 4 should be annual.\n\nBest,\nLin\n"
t, body = multipart("alternative", "000000000000a1b2c3d4e5f6", [
    part("text/plain; charset=\"UTF-8\"", b64(plain.encode("utf-8")), "base64"),
    part("text/html; charset=\"UTF-8\"", b64(("<div dir=\"ltr\">Hello,<div><br></div><div>We support the revised "
                                              "draft, with one change: paragraph 4 should be annual.</div></div>")
                                             .encode("utf-8")), "base64"),
])
case("gmail-alternative-verified",
     message(headers(Authentication_Results=["%s; dkim=pass header.d=example.org header.s=20210112; "
                                             "spf=pass smtp.mailfrom=lin@example.org; dmarc=pass (p=NONE) "
                                             "header.from=example.org" % MTA],
                     From="Lin Example <lin@example.org>", To=CALL1, Subject="Support, with one change",
                     Date=DATE, Message_ID="<CAF=abc123+xyz@mail.gmail.com>"), t, body),
     {"authserv_id": MTA}, {"outcome": "accepted", "call": 1,
                            "contribution": {"sender_verification": "pass",
                                             "authentication": "dkim=pass spf=pass dmarc=pass",
                                             "text_contains": ["paragraph 4 should be annual."],
                                             "text_excludes": ["<div"]}})

# 6. A forged Authentication-Results header that came with the message proves nothing
case("forged-authentication-results",
     message(headers(Authentication_Results=["%s; dkim=pass header.d=example.org; dmarc=pass" % "mx.elsewhere.example"],
                     From="Mallory <mallory@example.org>", To=CALL1, Subject="Trust me", Date=DATE,
                     Message_ID="<forged-ar-1@example.org>"),
             "text/plain; charset=us-ascii", "An input that claims to be verified.\r\n", "7bit"),
     {"authserv_id": MTA}, {"outcome": "accepted", "call": 1,
                            "contribution": {"sender_verification": "none", "authentication": None}})

# 7. A DMARC failure recorded as such
case("dmarc-fail",
     message(headers(Authentication_Results=["%s; dkim=fail header.d=example.org; dmarc=fail header.from=example.org"
                                             % MTA],
                     From="Someone <someone@example.org>", To=CALL1, Subject="Unverified input", Date=DATE,
                     Message_ID="<dmarc-fail-1@example.org>"),
             "text/plain; charset=us-ascii", "An input whose signature failed.\r\n", "7bit"),
     {"authserv_id": MTA}, {"outcome": "accepted", "call": 1, "contribution": {"sender_verification": "fail"}})

# 8. Gmail inline forward
case("gmail-forward-inline",
     message(headers(From="Lin Example <lin@example.org>", To=CALL1, Subject="Fwd: Comments from our experts",
                     Date=DATE, Message_ID="<CAF=fwd456@mail.gmail.com>"),
             "text/plain; charset=\"UTF-8\"",
             "Forwarding our experts' comments.\r\n\r\n---------- Forwarded message ---------\r\nFrom: Expert "
             "<expert@example.org>\r\nDate: Fri, 29 Jan 2021 at 16:20\r\nSubject: Comments\r\nTo: Lin "
             "<lin@example.org>\r\n\r\nParagraph 1 is too narrow.\r\n", "7bit"),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text_contains": ["---------- Forwarded message ---------", "Paragraph 1 is too narrow."]}})

# 9. Apple Mail: alternative of plain and related (HTML with an inline picture)
rel_t, rel_body = multipart("related", "Apple-Mail=_REL", [
    part("text/html; charset=utf-8", "<html><body>Our comment on the <b>table</b>.<img src=\"cid:logo@apple\"></body></html>",
         "7bit"),
    part('image/png; name="logo.png"', b64(png()), "base64", 'inline; filename="logo.png"',
         ["Content-Id: <logo@apple>"]),
], '; type="text/html"')
t, body = multipart("alternative", "Apple-Mail=_ALT", [
    part("text/plain; charset=us-ascii", "Our comment on the table.\r\n", "7bit"),
    part(rel_t, rel_body),
])
case("apple-mail-related",
     message(headers(From="Mary Somerville <mary@example.edu>", To=CALL1, Subject="The table", Date=DATE,
                     Message_ID="<A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF@example.edu>",
                     X_Mailer="Apple Mail (2.3696.120.41.1.1)"), t, body),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text_contains": ["Our comment on the table."], "attachments": []}})

# 10. Apple Mail: text, a Word file, more text (the text around the file is one text)
t, body = multipart("mixed", "Apple-Mail=_MIX", [
    part("text/plain; charset=us-ascii", "Before the file.\r\n", "7bit"),
    part('application/vnd.openxmlformats-officedocument.wordprocessingml.document; name="Inputs.docx"',
         b64(docx(["Section 3 needs a principle on transparency."])), "base64",
         'attachment; filename="Inputs.docx"'),
    part("text/plain; charset=us-ascii", "After the file.\r\n", "7bit"),
])
case("apple-mail-mixed-docx",
     message(headers(From="Mary Somerville <mary@example.edu>", To=CALL1, Subject="Word file", Date=DATE,
                     Message_ID="<F0E1D2C3-0000-4711-8899-AABBCCDDEEFF@example.edu>",
                     X_Mailer="Apple Mail (2.3696.120.41.1.1)"), t, body),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text_contains": ["Before the file.", "After the file."],
                           "attachments": [{"name": "Inputs.docx",
                                            "type": "application/vnd.openxmlformats-officedocument."
                                                    "wordprocessingml.document",
                                            "text_contains": "Section 3 needs a principle on transparency."}]}})

# 11. Thunderbird forwarding a message as an attachment, which carries an ODT
inner_t, inner_body = multipart("mixed", "inner-boundary-1", [
    part("text/plain; charset=UTF-8", "Here is our note in OpenDocument.\r\n", "7bit"),
    part('application/vnd.oasis.opendocument.text; name="note.odt"', b64(odt(["The Council should see the report."])),
         "base64", 'attachment; filename="note.odt"'),
])
inner = message(headers(From="Expert <expert@example.org>", To="lin@example.org", Subject="Our note",
                        Date="Fri, 29 Jan 2021 16:20:00 +0100", Message_ID="<inner-note@example.org>"),
                inner_t, inner_body)
t, body = multipart("mixed", "------------fwdATT", [
    part("text/plain; charset=UTF-8; format=flowed", "Forwarded as an attachment.\r\n", "7bit"),
    part('message/rfc822; name="Our note.eml"', inner, "7bit", 'attachment; filename="Our note.eml"'),
])
case("thunderbird-forward-attached",
     message(headers(From="Lin Example <lin@example.org>", To=CALL1, Subject="Fwd: Our note", Date=DATE,
                     Message_ID="<fwd-attached-1@example.org>", User_Agent="Thunderbird/102.7.1"), t, body),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text_contains": ["Forwarded as an attachment."],
                           "attachments": [{"name": "Our note.eml", "type": "message/rfc822",
                                            "text_contains": "Here is our note in OpenDocument."},
                                           {"name": "note.odt", "type": "application/vnd.oasis.opendocument.text",
                                            "text_contains": "The Council should see the report."}]}})

# 12. A forward of a forward, with no text of its own
level2 = message(headers(From="First <first@example.org>", To="second@example.org", Subject="Original",
                         Date="Thu, 28 Jan 2021 09:00:00 +0100", Message_ID="<level2@example.org>"),
                 "text/plain; charset=UTF-8", "The original words: paragraph 5 is missing.\r\n", "7bit")
level1_t, level1_body = multipart("mixed", "level1", [
    part("text/plain; charset=UTF-8", "See below.\r\n", "7bit"),
    part("message/rfc822", level2, "7bit", "attachment"),
])
level1 = message(headers(From="Second <second@example.org>", To="lin@example.org", Subject="Fwd: Original",
                         Date="Thu, 28 Jan 2021 10:00:00 +0100", Message_ID="<level1@example.org>"),
                 level1_t, level1_body)
t, body = multipart("mixed", "level0", [part("message/rfc822", level1, "7bit", "attachment")])
case("nested-forward",
     message(headers(From="Lin Example <lin@example.org>", To=CALL1, Subject="Fwd: Fwd: Original", Date=DATE,
                     Message_ID="<nested-forward@example.org>"), t, body),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text_contains": ["Forwarded message", "See below."],
                           "attachments": [{"name": "Fwd: Original.eml", "type": "message/rfc822",
                                            "text_contains": "See below."},
                                           {"name": "Original.eml", "type": "message/rfc822",
                                            "text_contains": "paragraph 5 is missing."}]}})

# 13. ISO-8859-1 declared, 8-bit, with Windows-1252's curly quotes (as Outlook writes it)
raw = (headers(From="=?iso-8859-1?q?Fran=E7ois_M=FCller?= <francois@example.fr>", To=CALL1,
               Subject="=?iso-8859-1?q?Commentaires_sur_le_paragraphe_3_=E0_revoir?=", Date=DATE,
               Message_ID="<latin1-8bit@example.fr>")
       + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
       ).encode("ascii") + "Le paragraphe 3 doit \u00eatre revu : \u201cqui rend compte\u201d.\r\n".encode("cp1252")
case("iso-8859-1-body", raw, {},
     {"outcome": "accepted", "call": 1,
      "contribution": {"name": "Fran\u00e7ois M\u00fcller", "subject": "Commentaires sur le paragraphe 3 \u00e0 revoir",
                       "text_contains": ["Le paragraphe 3 doit \u00eatre revu : \u201cqui rend compte\u201d."]}})

# 14. Windows-1252, quoted-printable, with the euro sign
case("windows-1252-body",
     message(headers(From="Jan de Vries <jan@example.nl>", To=CALL1, Subject="Budget", Date=DATE,
                     Message_ID="<cp1252-qp@example.nl>"),
             "text/plain; charset=windows-1252", qp("The budget of 5\u20ac per participant \u2013 too low.\n",
                                                     "cp1252"), "quoted-printable"),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text_contains": ["The budget of 5\u20ac per participant \u2013 too low."]}})

# 15. Undeclared 8-bit text that is not UTF-8
raw = (headers(From="Old Client <old@example.org>", To=CALL1, Subject="No charset", Date=DATE,
               Message_ID="<undeclared-8bit@example.org>")
       + "\r\n").encode("ascii") + "Caf\u00e9 au lait \u2014 paragraph 6.\r\n".encode("cp1252")
case("undeclared-8bit", raw, {},
     {"outcome": "accepted", "call": 1, "contribution": {"text_contains": ["Caf\u00e9 au lait \u2014 paragraph 6."]}})

# 16. Encoded words: UTF-8 base64 and ISO-8859-1 Q side by side, and in the name
case("encoded-words",
     message(headers(From="=?UTF-8?B?5p2O5piO?= <li.ming@example.cn>", To=CALL1,
                     Subject="=?UTF-8?B?5oSP6KeB?= =?ISO-8859-1?Q?=E0_propos_du_paragraphe?= 7", Date=DATE,
                     Message_ID="<encoded-words@example.cn>"),
             "text/plain; charset=utf-8", b64("\u6211\u4eec\u652f\u6301\u7b2c7\u6bb5\u3002\n".encode("utf-8")),
             "base64"),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"name": "\u674e\u660e", "subject": "\u610f\u89c1\u00e0 propos du paragraphe 7",
                           "text_contains": ["\u6211\u4eec\u652f\u6301\u7b2c7\u6bb5\u3002"]}})

# 17. A broken MIME structure: no closing boundary, a part with bad base64, a missing boundary line
case("broken-mime",
     (headers(From="Broken Client <broken@example.org>", To=CALL1, Subject="Broken", Date=DATE,
              Message_ID="<broken-mime@example.org>")
      + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n"
        "--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe text survives the damage.\r\n"
        "--XYZ\r\nContent-Type: application/pdf; name=\"cut.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"cut.pdf\"\r\n\r\nJVBERi0xLjQK!!!not base64 at all***\r\n"),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text_contains": ["The text survives the damage."],
                           "attachments": [{"name": "cut.pdf"}]}})

# 18. No text, only a spreadsheet
t, body = multipart("mixed", "only-attachment", [
    part('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name="pillars.xlsx"', b64(xlsx()),
         "base64", 'attachment; filename="pillars.xlsx"'),
])
case("attachment-only",
     message(headers(From="Ada Lovelace <ada@example.org>", To=CALL1, Subject="", Date=DATE,
                     Message_ID="<attachment-only@example.org>"), t, body),
     {}, {"outcome": "accepted", "call": 1,
          "contribution": {"text": "",
                           "attachments": [{"name": "pillars.xlsx",
                                            "type": "application/vnd.openxmlformats-officedocument."
                                                    "spreadsheetml.sheet", "text": None}]}})

# 19. An out-of-office reply: held, never answered
case("auto-reply",
     message(headers(From="Grace Hopper <grace@example.com>", To=CALL1, Subject="Automatic reply: Inputs",
                     Date=DATE, Message_ID="<oof-1@example.com>", Auto_Submitted="auto-replied",
                     X_Auto_Response_Suppress="All"),
             "text/plain; charset=us-ascii", "I am out of the office until 15 February.\r\n", "7bit"),
     {}, {"outcome": "held", "reason": "automatic", "receipt": False})

# 20. A bounce from the null sender: held, never answered
report_t, report_body = multipart("report", "bounce-boundary", [
    part("text/plain; charset=us-ascii", "This is the mail system at host mx.example.net.\r\n\r\nI'm sorry to "
         "have to inform you that your message could not be delivered.\r\n", "7bit"),
    part("message/delivery-status", "Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; "
         "nobody@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n", "7bit"),
], "; report-type=delivery-status")
case("bounce",
     message(headers(Return_Path="<>", From="MAILER-DAEMON@mx.example.net (Mail Delivery System)", To=CALL1,
                     Subject="Undelivered Mail Returned to Sender", Date=DATE, Message_ID="<bounce-1@mx.example.net>",
                     Auto_Submitted="auto-replied"), report_t, report_body),
     {"sender": ""}, {"outcome": "held", "reason": "automatic", "receipt": False})

# 21. Mailing-list traffic: recorded, but no receipt
case("mailing-list",
     message(headers(From="Ada Lovelace <ada@example.org>", To=CALL1, Subject="[wsis-list] On the draft", Date=DATE,
                     Message_ID="<list-1@example.org>", List_Id="<wsis-list.example.org>", Precedence="list"),
             "text/plain; charset=us-ascii", "A list member's view on the draft.\r\n", "7bit"),
     {}, {"outcome": "accepted", "call": 1, "receipt": False})

# 22. An address no call has: held, no answer (no backscatter)
case("no-call",
     message(headers(From="Ada Lovelace <ada@example.org>", To="secretariat@gca-demo.example", Subject="A question",
                     Date=DATE, Message_ID="<no-call-1@example.org>"),
             "text/plain; charset=us-ascii", "Where do I send my inputs?\r\n", "7bit"),
     {}, {"outcome": "held", "reason": "no_call", "receipt": False})

# 23. After the deadline: recorded, late, the receipt says so
case("late",
     message(headers(From="Ada Lovelace <ada@example.org>", To=CALL1, Subject="Sorry, a day late", Date=DATE,
                     Message_ID="<late-1@example.org>"),
             "text/plain; charset=us-ascii", "Our inputs, a day after the deadline.\r\n", "7bit"),
     {"now": LATE1}, {"outcome": "accepted", "call": 1, "late": True, "receipt": True, "receipt_late": True,
                      "contribution": {"state": "pending", "late": True}})

# 24. The Date header says long before the deadline; the arrival is what counts
case("date-header-ignored",
     message(headers(From="Ada Lovelace <ada@example.org>", To=CALL1, Subject="Written last week",
                     Date="Mon, 08 Feb 2021 09:00:00 +0100", Message_ID="<date-ignored@example.org>"),
             "text/plain; charset=us-ascii", "The Date header is before the deadline.\r\n", "7bit"),
     {"now": LATE1}, {"outcome": "accepted", "call": 1, "late": True})

# 25. Sub-addressing: contributions+2@ is call 2
case("subaddress",
     message(headers(From="Ada Lovelace <ada@example.org>", To="contributions+2@gca-demo.example",
                     Subject="Final inputs", Date=DATE, Message_ID="<subaddress-1@example.org>"),
             "text/plain; charset=us-ascii", "Final inputs by sub-address.\r\n", "7bit"),
     {"now": OPEN2}, {"outcome": "accepted", "call": 2, "late": False})

# 26. The envelope recipient wins over To (a Bcc, or an alias)
case("envelope-recipient",
     message(headers(From="Ada Lovelace <ada@example.org>", To="friends@example.org", Subject="Bcc to the call",
                     Date=DATE, Message_ID="<envelope-1@example.org>"),
             "text/plain; charset=us-ascii", "Sent in Bcc to the call.\r\n", "7bit"),
     {"recipient": CALL2, "now": OPEN2}, {"outcome": "accepted", "call": 2})

# 27. Delivered-To (as the MTA's pipe writes it) picks the call
case("delivered-to",
     message(headers(Delivered_To=CALL2, From="Ada Lovelace <ada@example.org>", To="friends@example.org",
                     Subject="Via Delivered-To", Date=DATE, Message_ID="<delivered-to-1@example.org>"),
             "text/plain; charset=us-ascii", "Routed by Delivered-To.\r\n", "7bit"),
     {"now": OPEN2}, {"outcome": "accepted", "call": 2})

# 28. To a call that is not open yet: held, and its sender told
case("call-not-open",
     message(headers(From="Ada Lovelace <ada@example.org>", To=CALL2, Subject="Too early", Date=DATE,
                     Message_ID="<not-open-1@example.org>"),
             "text/plain; charset=us-ascii", "Inputs before the call opens.\r\n", "7bit"),
     {}, {"outcome": "held", "reason": "call_not_open", "receipt": True})

# 29. Over the limit of attachments: held, and its sender told
parts = [part("text/plain; charset=us-ascii", "Many files.\r\n", "7bit")]
for i in range(21):
    parts.append(part('text/plain; name="note-%02d.txt"' % i, "Note %d.\r\n" % i, "7bit",
                      'attachment; filename="note-%02d.txt"' % i))
t, body = multipart("mixed", "many-files", parts)
case("too-many-attachments",
     message(headers(From="Ada Lovelace <ada@example.org>", To=CALL1, Subject="21 files", Date=DATE,
                     Message_ID="<too-many-1@example.org>"), t, body),
     {}, {"outcome": "held", "reason": "limit", "receipt": True})

# 30. A known stakeholder, verified by the MTA: linked to the account
case("known-stakeholder",
     message(headers(Authentication_Results=["%s; dkim=pass header.d=example.org; dmarc=pass" % MTA],
                     From="Grace <grace@example.org>", To=CALL1, Subject="From my account", Date=DATE,
                     Message_ID="<known-stakeholder-1@example.org>"),
             "text/plain; charset=us-ascii", "An input from a registered stakeholder.\r\n", "7bit"),
     {"authserv_id": MTA, "account": {"email": "grace@example.org", "name": "Grace Registered"}},
     {"outcome": "accepted", "call": 1, "contribution": {"name": "Grace Registered", "sender_verification": "pass",
                                                         "linked": True}})

# 31. The same stakeholder's address, not verified: not linked
case("known-stakeholder-unverified",
     message(headers(From="Grace <grace@example.org>", To=CALL1, Subject="Not verified", Date=DATE,
                     Message_ID="<known-stakeholder-2@example.org>"),
             "text/plain; charset=us-ascii", "An input that only claims to come from a stakeholder.\r\n", "7bit"),
     {"account": {"email": "grace@example.org", "name": "Grace Registered"}},
     {"outcome": "accepted", "call": 1, "contribution": {"name": "Grace", "sender_verification": "none",
                                                         "linked": False}})

# 32. An mbox "From " line before the message (procmail, fetchmail)
case("mbox-from-line",
     ("From ada@example.org Mon Feb  1 11:02:13 2021\n"
      "From: Ada Lovelace <ada@example.org>\nTo: %s\nSubject: Via procmail\nMessage-ID: <mbox-1@example.org>\n"
      "Date: %s\n\nDelivered by procmail, with LF line ends.\n" % (CALL1, DATE)),
     {}, {"outcome": "accepted", "call": 1, "contribution": {"subject": "Via procmail",
                                                            "text_contains": ["Delivered by procmail"]}})

# 33. An empty message can never be accepted
case("empty", b"", {}, {"outcome": "rejected", "exit": 65})

# 34. A forged Authentication-Results with our authserv-id below the topmost one (here a relay's): not believed,
# so a registered stakeholder's address is not linked on its word
case("forged-authentication-results-below",
     message(headers(Authentication_Results=["relay.elsewhere.example; spf=pass smtp.mailfrom=example.org",
                                             "%s; dkim=pass header.d=example.org; dmarc=pass" % MTA],
                     From="Grace <grace@example.org>", To=CALL1, Subject="Believe my header", Date=DATE,
                     Message_ID="<forged-ar-2@example.org>"),
             "text/plain; charset=us-ascii", "An input whose own header says it is verified.\r\n", "7bit"),
     {"authserv_id": MTA, "account": {"email": "grace@example.org", "name": "Grace Registered"}},
     {"outcome": "accepted", "call": 1, "contribution": {"name": "Grace", "sender_verification": "none",
                                                         "authentication": None, "linked": False}})


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith((".eml", ".json")):
            os.remove(os.path.join(OUT, name))
    for i, (name, (eml, run, expect)) in enumerate(CASES.items(), 1):
        stem = "%02d-%s" % (i, name)
        with open(os.path.join(OUT, stem + ".eml"), "wb") as f:
            f.write(eml)
        with open(os.path.join(OUT, stem + ".json"), "w", encoding="utf-8") as f:
            json.dump({"run": run, "expect": expect}, f, indent=1, ensure_ascii=False, sort_keys=True)
            f.write("\n")
    print("wrote %d cases to %s" % (len(CASES), OUT))


if __name__ == "__main__":
    main()
