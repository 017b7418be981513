"""Files with a contribution by the web form and the API (issue 10 item 4).

A private clamd (Debian's clamav-daemon) runs on a signature database this
test writes itself (the EICAR test file's MD5:size:name in a .hdb file: no
update server is reachable here), on a socket in a temporary directory; the
server is started with --clamd SOCKET and small limits (64 KiB, 3 files), so
that the edges are cheap to reach.

What is checked: a PDF, a DOCX and a TXT (made here: a hand-written PDF, a
DOCX zipped here) sent with the form and with the API are kept, their text
extracted (pdftotext, pandoc), scanned clean, listed on the contribution's
page with size and type, and downloadable by the public, as a download with
the type found, nosniff, never text/html; a type lie (HTML or a Windows
program named .pdf) is refused naming the file; too large and too many are
refused with the limit in the message; EICAR is refused naming the virus;
in each refusal nothing is stored (no contribution, no blob). With clamd
down the contribution is kept (201) and its file held for scanning, not
served; once clamd is up the server's loop scans it: clean, available;
EICAR held that way is quarantined and never served. A private
contribution's file is 404 for the public and served to the secretariat
(and linked on its moderation page). ODT and XLSX are taken by content
whatever their names. Mailed files go through the same extraction and are
scanned by the loop; a mailed HTML file downloads as
application/octet-stream. A held file clamd answers with an error about
(a fake clamd) stays held without stopping the files after it.

The classes that need a real clamd are skipped (a TAP "# SKIP" line,
counted) only when clamd is not installed (scripts/setup.sh installs
clamav-daemon)."""

import base64
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid
import zipfile

import harness
from harness import CALL1_OPEN, CSRF_TOKEN, Server, ServerTestCase, multipart

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MAX_KIB = 64
MAX_COUNT = 3
CLAMD_START = 90  # seconds clamd may take to load (the sanitizer build runs beside it)
SCAN_WAIT = 30    # seconds the server's loop may take to scan a held file


def why_clamd_cannot_run():
    if not os.access(CLAMD, os.X_OK):
        return "clamd is not installed (scripts/setup.sh installs clamav-daemon)"
    return None


class Clamd:
    """A private clamd: its own configuration, signature database and socket, in a temporary directory."""

    def __init__(self, directory=None):
        self.dir = directory or tempfile.mkdtemp(prefix="consulta-clamd-")
        self.socket = os.path.join(self.dir, "clamd.sock")
        self.proc = None
        os.makedirs(os.path.join(self.dir, "db"), exist_ok=True)
        with open(os.path.join(self.dir, "db", "test.hdb"), "w") as f:
            f.write("%s:%d:Eicar-Test-Signature\n" % (hashlib.md5(EICAR).hexdigest(), len(EICAR)))
        self.conf = os.path.join(self.dir, "clamd.conf")
        with open(self.conf, "w") as f:
            f.write("Foreground yes\nDatabaseDirectory %s\nLocalSocket %s\nTemporaryDirectory %s\n"
                    "LogFile %s\nStreamMaxLength 20M\n"
                    % (os.path.join(self.dir, "db"), self.socket, self.dir, os.path.join(self.dir, "clamd.log")))

    def start(self):
        self.proc = subprocess.Popen([CLAMD, "-c", self.conf], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + CLAMD_START
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("clamd exited (%s): %s" % (self.proc.returncode, self.log()[-2000:]))
            if self.ping():
                return self
            time.sleep(0.2)
        raise RuntimeError("clamd was not ready within %ds: %s" % (CLAMD_START, self.log()[-2000:]))

    def ping(self):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(self.socket)
                s.sendall(b"zPING\0")
                return s.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def log(self):
        try:
            with open(os.path.join(self.dir, "clamd.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        try:
            os.unlink(self.socket)
        except OSError:
            pass

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# -- files made here -------------------------------------------------------

def make_pdf(text):
    """A minimal valid one-page PDF with text, written by hand (offsets computed)."""
    stream = ("BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text).encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def make_docx(text):
    """A minimal DOCX: content types, the package relationship and one paragraph."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                   '<w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>' % text)
    return b.getvalue()


HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x40\x00\x00\x00" + \
      b"PE\x00\x00" + b"\x00" * 100

FIELDS = {"name": "Ada Lovelace", "organization": "Analytical Engines Ltd", "category": "academia",
          "country": "CH", "email": "ada@example.org", "text": "See the attached paper.", "publication": "named"}


def b64(data):
    return base64.b64encode(data).decode("ascii")


class AttachmentServer:
    """What each test class shares: a clamd and a server that scans with it."""

    @staticmethod
    def start(clamd_socket, now=CALL1_OPEN):
        s = Server(now, global_args=["--clamd", clamd_socket, "--attachment-max-size", str(MAX_KIB),
                                     "--attachment-max-count", str(MAX_COUNT)])
        try:
            s.start()
        except BaseException:
            s.cleanup()
            raise
        return s


class AttachmentTestCase(ServerTestCase):
    SHARED = False
    clamd = None

    @classmethod
    def setUpClass(cls):
        why = why_clamd_cannot_run()
        if why:
            raise unittest.SkipTest(why)
        cls.clamd = Clamd()
        try:
            cls.clamd.start()
            cls.server = AttachmentServer.start(cls.clamd.socket)
        except BaseException:
            cls.clamd.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls.clamd:
                cls.clamd.cleanup()

    # -- helpers ---------------------------------------------------------

    def post_multipart(self, server, fields, files, path="/calls/1/contribute"):
        fields = dict(fields)
        fields["csrf"] = server.csrf_token()
        body, ctype = multipart(fields, files)
        return server.request("POST", path, body=body,
                              headers={"Content-Type": ctype, "Cookie": "consulta_csrf=" + CSRF_TOKEN})

    def post_api(self, server, files, **fields):
        c = harness.contribution(**fields)
        c["attachments"] = [{"filename": n, "content_base64": b64(d)} for n, d in files]
        return server.post_json("/api/v1/calls/1/contributions", c)

    def db_rows(self, server, sql, args=()):
        with harness.connect(server.db, timeout=10) as db:
            return db.execute(sql, args).fetchall()

    def counts(self, server):
        """(contributions, blobs, attachments) in the database."""
        return tuple(self.db_rows(server, "SELECT count(*) FROM %s" % t)[0][0]
                     for t in ("contribution", "blob", "attachment"))

    def files_of(self, server, tracking):
        return self.db_rows(server, "SELECT a.position, a.name, a.size, a.type, a.scan, a.text, a.sha256 "
                                    "FROM attachment a JOIN contribution c ON c.id = a.contribution_id "
                                    "WHERE c.tracking = ? ORDER BY a.position", (tracking,))

    def assertDownload(self, server, url, data, ctype, headers=None):
        r = server.get(url, headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, data)
        self.assertEqual(r.header("Content-Type").split(";")[0].strip(), ctype)
        self.assertNotIn("html", r.header("Content-Type"))
        self.assertTrue(r.header("Content-Disposition").startswith("attachment;"), r.header("Content-Disposition"))
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")

    def wait_scan(self, server, tracking, want):
        deadline = time.monotonic() + SCAN_WAIT
        while time.monotonic() < deadline:
            scans = [f[4] for f in self.files_of(server, tracking)]
            if scans and all(s == want for s in scans):
                return
            time.sleep(0.3)
        self.fail("files of %s not %s within %ds: %r" % (tracking, want, SCAN_WAIT, self.files_of(server, tracking)))


class TestAttachments(AttachmentTestCase):

    def test_form_upload_pdf_docx_txt(self):
        pdf, docx, txt = make_pdf("Position paper on reporting"), make_docx("Annex on reporting duties"), \
            "Notes on paragraph 3, caf\u00e9.\n".encode("utf-8")
        r = self.post_multipart(self.server, FIELDS, [
            ("attachments", "position paper.pdf", "application/pdf", pdf),
            ("attachments", "annex.docx", "application/octet-stream", docx),
            ("attachments", "notes.txt", "text/plain", txt)])
        self.assertEqual(r.status, 303, r)
        tracking = r.header("Location").rsplit("/", 1)[1]
        files = self.files_of(self.server, tracking)
        self.assertEqual([(f[0], f[1], f[2], f[3], f[4]) for f in files], [
            (1, "position paper.pdf", len(pdf), "application/pdf", "clean"),
            (2, "annex.docx", len(docx), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "clean"),
            (3, "notes.txt", len(txt), "text/plain", "clean")])
        # text extracted for search
        self.assertIn("Position paper on reporting", files[0][5])
        self.assertIn("Annex on reporting duties", files[1][5])
        self.assertIn("caf\u00e9", files[2][5])
        self.assertEqual(files[0][6], hashlib.sha256(pdf).hexdigest())
        # listed on the public page with size and type, and downloadable
        page = self.server.get("/contributions/" + tracking)
        self.assertEqual(page.status, 200)
        self.assertIn("/contributions/%s/attachments/1/position%%20paper.pdf" % tracking, page.text)
        self.assertIn("PDF, %d bytes" % len(pdf), page.text)
        self.assertIn("DOCX, %d KiB" % ((len(docx) + 1023) // 1024) if len(docx) >= 1024 else "DOCX, %d bytes"
                      % len(docx), page.text)
        self.assertDownload(self.server, "/contributions/%s/attachments/1/position%%20paper.pdf" % tracking, pdf,
                            "application/pdf")
        self.assertDownload(self.server, "/contributions/%s/attachments/2/annex.docx" % tracking, docx,
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        self.assertDownload(self.server, "/contributions/%s/attachments/3/notes.txt" % tracking, txt, "text/plain")
        r = self.server.get("/contributions/%s/attachments/4/x" % tracking)
        self.assertEqual(r.status, 404)

    def test_api_upload(self):
        pdf, docx = make_pdf("Written by the API"), make_docx("Second annex")
        r = self.post_api(self.server, [("paper.pdf", pdf), ("annex.docx", docx), ("notes.txt", b"Short notes.\n")])
        self.assertEqual(r.status, 201, r)
        tracking = r.json()["tracking"]
        got = self.server.get_json("/api/v1/contributions/" + tracking).json()
        files = got["attachments"]
        self.assertEqual([(f["position"], f["filename"], f["size"], f["scan"]) for f in files],
                         [(1, "paper.pdf", len(pdf), "clean"), (2, "annex.docx", len(docx), "clean"),
                          (3, "notes.txt", 13, "clean")])
        self.assertEqual(files[0]["sha256"], hashlib.sha256(pdf).hexdigest())
        self.assertDownload(self.server, files[0]["url"], pdf, "application/pdf")
        self.assertIn("Written by the API", self.files_of(self.server, tracking)[0][5])

    def test_a_name_with_quotes_and_accents_downloads_under_its_name(self):
        name = 'Stellungnahme "final" \u00fc\r.txt'
        r = self.post_api(self.server, [(name, b"x\n")])
        self.assertErrorShape(r, 422, "invalid", ["attachments"])  # a control character in a name: refused
        name = 'Stellungnahme "final" \u00fc<b>.txt'
        r = self.post_api(self.server, [(name, b"x\n")])
        self.assertEqual(r.status, 201, r)
        tracking = r.json()["tracking"]
        url = self.server.get_json("/api/v1/contributions/" + tracking).json()["attachments"][0]["url"]
        d = self.server.get(url).header("Content-Disposition")
        self.assertTrue(d.startswith('attachment; filename="Stellungnahme__final_____b_.txt"; '), d)
        self.assertEqual(urllib.parse.unquote(d.split("filename*=UTF-8''", 1)[1]), name)
        page = self.server.get("/contributions/" + tracking).text
        self.assertIn("Stellungnahme &quot;final&quot; \u00fc&lt;b&gt;.txt", page)
        self.assertNotIn("<b>.txt", page)

    def test_odt_and_xlsx_are_taken_by_their_content(self):
        work = tempfile.mkdtemp(prefix="consulta-att-")
        try:
            md = os.path.join(work, "in.md")
            with open(md, "w") as f:
                f.write("Comments in OpenDocument\n")
            odt_path = os.path.join(work, "out.odt")
            subprocess.run(["pandoc", md, "-o", odt_path], check=True, timeout=60)
            with open(odt_path, "rb") as f:
                odt = f.read()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        import openpyxl
        book = openpyxl.Workbook()
        book.active["A1"] = "Comment table"
        buf = io.BytesIO()
        book.save(buf)
        xlsx = buf.getvalue()
        # named wrongly on purpose: the content decides
        r = self.post_api(self.server, [("comments.bin", odt), ("table", xlsx)])
        self.assertEqual(r.status, 201, r)
        files = self.files_of(self.server, r.json()["tracking"])
        self.assertEqual([(f[3], f[4]) for f in files], [
            ("application/vnd.oasis.opendocument.text", "clean"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "clean")])
        self.assertIn("Comments in OpenDocument", files[0][5])

    def test_type_lie_refused_naming_the_file(self):
        before = self.counts(self.server)
        for name, data in (("paper.pdf", HTML), ("report.pdf", EXE)):
            with self.subTest(name=name, channel="api"):
                r = self.post_api(self.server, [("good.txt", b"fine\n"), (name, data)])
                self.assertErrorShape(r, 422, "invalid", ["attachments"])
                message = r.json()["error"]["fields"]["attachments"]
                self.assertIn('"%s"' % name, message)
                self.assertIn("PDF, DOCX, ODT, XLSX or TXT", message)
            with self.subTest(name=name, channel="form"):
                r = self.post_multipart(self.server, FIELDS, [("attachments", name, "application/pdf", data)])
                self.assertEqual(r.status, 422, r)
                self.assertIn("&quot;%s&quot; is not a PDF, DOCX, ODT, XLSX or TXT file" % name, r.text)
                # at its field, linked from the summary, what was typed kept
                self.assertIn('<a href="#f-attachments">', r.text)
                self.assertIn('<p class="error" id="e-attachments">', r.text)
                self.assertIn('aria-describedby="e-attachments h-attachments" aria-invalid="true"', r.text)
                self.assertIn("choose them again", r.text)
                self.assertIn('value="Ada Lovelace"', r.text)
        self.assertEqual(self.counts(self.server), before)

    def test_too_large_and_too_many(self):
        before = self.counts(self.server)
        big = b"a" * (MAX_KIB * 1024 + 1)
        r = self.post_api(self.server, [("big.txt", big)])
        self.assertErrorShape(r, 422, "invalid", ["attachments"])
        self.assertIn('"big.txt" is too large', r.json()["error"]["fields"]["attachments"])
        self.assertIn("at most %d KiB" % MAX_KIB, r.json()["error"]["fields"]["attachments"])
        r = self.post_multipart(self.server, FIELDS, [("attachments", "big.txt", "text/plain", big)])
        self.assertEqual(r.status, 422, r)
        self.assertIn("at most %d KiB" % MAX_KIB, r.text)
        many = [("n%d.txt" % i, b"note\n") for i in range(MAX_COUNT + 1)]
        r = self.post_api(self.server, many)
        self.assertErrorShape(r, 422, "invalid", ["attachments"])
        self.assertIn("at most %d may be sent" % MAX_COUNT, r.json()["error"]["fields"]["attachments"])
        r = self.post_multipart(self.server, FIELDS, [("attachments", n, "text/plain", d) for n, d in many])
        self.assertEqual(r.status, 422, r)
        self.assertIn("at most %d may be sent" % MAX_COUNT, r.text)
        # exactly at the limits: accepted
        r = self.post_api(self.server, [("edge%d.txt" % i, b"b" * (MAX_KIB * 1024)) for i in range(MAX_COUNT)])
        self.assertEqual(r.status, 201, r)
        after = self.counts(self.server)
        self.assertEqual(after[0], before[0] + 1)

    def test_eicar_refused_and_never_stored(self):
        before = self.counts(self.server)
        r = self.post_api(self.server, [("eicar.txt", EICAR)])
        self.assertErrorShape(r, 422, "invalid", ["attachments"])
        message = r.json()["error"]["fields"]["attachments"]
        self.assertIn('"eicar.txt" contains a virus (Eicar-Test-Signature', message)
        r = self.post_multipart(self.server, FIELDS, [("attachments", "eicar.txt", "text/plain", EICAR)])
        self.assertEqual(r.status, 422, r)
        self.assertIn("contains a virus", r.text)
        self.assertEqual(self.counts(self.server), before)
        self.assertEqual(self.db_rows(self.server, "SELECT count(*) FROM blob WHERE sha256 = ?",
                                      (hashlib.sha256(EICAR).hexdigest(),))[0][0], 0)

    def test_private_files_for_the_secretariat_only(self):
        pdf = make_pdf("Confidential remarks")
        r = self.post_api(self.server, [("private.pdf", pdf)], publication="private")
        self.assertEqual(r.status, 201, r)
        tracking = r.json()["tracking"]
        url = "/contributions/%s/attachments/1/private.pdf" % tracking
        self.assertEqual(self.server.get(url).status, 404)
        token = self.server.account_token("files-secretariat@example.org")
        self.assertDownload(self.server, url, pdf, "application/pdf", headers={"Authorization": "Bearer " + token})
        # the secretariat's moderation page links it
        page = self.server.get("/office/calls/1/contributions?state=published",
                               headers={"Authorization": "Bearer " + token})
        self.assertEqual(page.status, 200)
        self.assertIn('href="%s"' % url, page.text)
        # a stakeholder's token is the public's here
        other = self.server.account_token("files-stakeholder@example.org", role="stakeholder")
        self.assertEqual(self.server.get(url, headers={"Authorization": "Bearer " + other}).status, 404)

    def test_form_shows_the_file_field_and_its_limits(self):
        page = self.server.get("/calls/1/contribute")
        self.assertEqual(page.status, 200)
        self.assertIn('type="file" id="f-attachments" name="attachments" multiple', page.text)
        self.assertIn("up to %d files, PDF, DOCX, ODT, XLSX or TXT, each at most %d KiB" % (MAX_COUNT, MAX_KIB),
                      page.text)


class TestMailedFiles(AttachmentTestCase):
    """A message's files go through the same check and are held, then scanned by the server's loop: a clean
    one becomes downloadable by the secretariat (a mailed contribution is private), EICAR is quarantined."""

    def test_mailed_files_are_scanned_by_the_loop(self):
        from email.message import EmailMessage
        from test_mail_in import CALL1, mail_in
        msg = EmailMessage()
        msg["From"] = "Ada <ada@example.org>"
        msg["To"] = CALL1
        msg["Subject"] = "Inputs with files"
        msg["Message-ID"] = "<files-%s@example.org>" % uuid.uuid4().hex
        msg.set_content("Our inputs are attached.")
        pdf = make_pdf("Mailed position paper")
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="mailed.pdf")
        msg.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="eicar.com")
        msg.add_attachment(HTML, maintype="text", subtype="html", filename="page.html")
        code, out, err = mail_in(self.server.db, msg.as_bytes(), CALL1_OPEN)
        self.assertEqual(code, 0, err)
        tracking = out["tracking"]
        files = self.files_of(self.server, tracking)
        self.assertEqual([(f[1], f[3]) for f in files], [("mailed.pdf", "application/pdf"),
                                                         ("eicar.com", "text/plain"), ("page.html", "text/html")])
        self.assertIn("Mailed position paper", files[0][5])  # the shared extraction (core/attachment.c)
        deadline = time.monotonic() + SCAN_WAIT
        while time.monotonic() < deadline and [f[4] for f in self.files_of(self.server, tracking)] != \
                ["clean", "quarantined", "clean"]:
            time.sleep(0.3)
        self.assertEqual([f[4] for f in self.files_of(self.server, tracking)], ["clean", "quarantined", "clean"])
        token = self.server.account_token("mail-files@example.org")
        auth = {"Authorization": "Bearer " + token}
        self.assertDownload(self.server, "/contributions/%s/attachments/1/mailed.pdf" % tracking, pdf,
                            "application/pdf", headers=auth)
        self.assertEqual(self.server.get("/contributions/%s/attachments/1/mailed.pdf" % tracking).status, 404)
        # a mailed HTML file is served as bytes to save, never as a page a browser would run
        self.assertDownload(self.server, "/contributions/%s/attachments/3/page.html" % tracking, HTML,
                            "application/octet-stream", headers=auth)
        r = self.server.get("/contributions/%s/attachments/2/eicar.com" % tracking, headers=auth)
        self.assertEqual(r.status, 409)
        self.assertNotIn(EICAR, r.body)
        r = self.server.request("GET", "/api/v1/contributions/" + tracking, headers=auth)
        self.assertEqual([(a["filename"], a["scan"]) for a in r.json()["attachments"]],
                         [("mailed.pdf", "clean"), ("eicar.com", "quarantined"), ("page.html", "clean")])


class TestClamdDown(AttachmentTestCase):
    """clamd is configured but not running: files are held, then scanned once it starts."""

    @classmethod
    def setUpClass(cls):
        why = why_clamd_cannot_run()
        if why:
            raise unittest.SkipTest(why)
        cls.clamd = Clamd()  # not started
        try:
            cls.server = AttachmentServer.start(cls.clamd.socket)
        except BaseException:
            cls.clamd.cleanup()
            raise

    def test_held_then_scanned(self):
        pdf = make_pdf("Sent while clamd was down")
        r = self.post_api(self.server, [("held.pdf", pdf)])
        self.assertEqual(r.status, 201, r)
        tracking = r.json()["tracking"]
        r = self.post_multipart(self.server, FIELDS, [("attachments", "eicar.txt", "text/plain", EICAR)])
        self.assertEqual(r.status, 303, r)  # kept: clamd could not say
        infected = r.header("Location").rsplit("/", 1)[1]
        self.assertEqual([f[4] for f in self.files_of(self.server, tracking)], ["pending"])
        self.assertEqual([f[4] for f in self.files_of(self.server, infected)], ["pending"])
        url = "/contributions/%s/attachments/1/held.pdf" % tracking
        self.assertEqual(self.server.get(url).status, 409)
        self.assertIn("waiting for its virus check", self.server.get("/contributions/" + tracking).text)
        self.assertEqual(self.server.get_json("/api/v1/contributions/" + tracking).json()["attachments"][0]["url"],
                         None)
        self.clamd.start()
        try:
            self.wait_scan(self.server, tracking, "clean")
            self.wait_scan(self.server, infected, "quarantined")
            self.assertDownload(self.server, url, pdf, "application/pdf")
            self.assertIn('href="%s"' % url, self.server.get("/contributions/" + tracking).text)
            self.assertEqual(self.server.get_json("/api/v1/contributions/" + tracking).json()["attachments"][0]["url"],
                             url)
            r = self.server.get("/contributions/%s/attachments/1/eicar.txt" % infected)
            self.assertEqual(r.status, 409)
            self.assertNotIn(EICAR, r.body)
            self.assertIn("a virus was found", self.server.get("/contributions/" + infected).text)
            self.assertEqual(self.db_rows(self.server, "SELECT virus FROM attachment WHERE scan = 'quarantined'"),
                             [("Eicar-Test-Signature.UNOFFICIAL",)])
        finally:
            self.clamd.stop()


class FakeClamd:
    """A clamd stand-in on a Unix socket that answers by content: an error for a stream containing b"REFUSE",
    OK for anything else (what a real clamd says when a file is past its StreamMaxLength)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                try:
                    data = b""
                    buf = b""
                    while not buf.startswith(b"zINSTREAM\0") or len(buf) < 10:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        buf += chunk
                    buf = buf[10:]
                    while True:
                        while len(buf) < 4:
                            buf += conn.recv(65536)
                        n = int.from_bytes(buf[:4], "big")
                        buf = buf[4:]
                        if n == 0:
                            break
                        while len(buf) < n:
                            buf += conn.recv(65536)
                        data += buf[:n]
                        buf = buf[n:]
                    conn.sendall(b"INSTREAM size limit exceeded. ERROR\0" if b"REFUSE" in data else b"stream: OK\0")
                except OSError:
                    pass

    def stop(self):
        self.stopping = True
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


class TestScanError(ServerTestCase):
    """A held file clamd answers with an error about stays held, and does not stop the files after it."""

    SHARED = False

    def test_an_error_about_one_file_does_not_block_the_others(self):
        work = tempfile.mkdtemp(prefix="consulta-fakeclamd-")
        path = os.path.join(work, "clamd.sock")
        try:
            server = self.fresh_server(global_args=["--clamd", path])
            c = harness.contribution()
            c["attachments"] = [{"filename": "refused.txt", "content_base64": b64(b"REFUSE this one\n")},
                                {"filename": "fine.txt", "content_base64": b64(b"fine\n")}]
            r = server.post_json("/api/v1/calls/1/contributions", c)  # nothing listens yet: both held
            self.assertEqual(r.status, 201, r)
            tracking = r.json()["tracking"]
            fake = FakeClamd(path)
            try:
                deadline = time.monotonic() + SCAN_WAIT
                scans = None
                while time.monotonic() < deadline:
                    with harness.connect(server.db, timeout=10) as db:
                        scans = [row[0] for row in db.execute(
                            "SELECT a.scan FROM attachment a JOIN contribution c ON c.id = a.contribution_id "
                            "WHERE c.tracking = ? ORDER BY a.position", (tracking,))]
                    if scans == ["pending", "clean"]:
                        break
                    time.sleep(0.3)
                self.assertEqual(scans, ["pending", "clean"])
            finally:
                fake.stop()
        finally:
            shutil.rmtree(work, ignore_errors=True)


class TestLimitsOnTheCommandLine(unittest.TestCase):
    """The configured size and count stay within their ceilings (LIMIT_ATTACHMENT, LIMIT_ATTACHMENTS)."""

    def test_ceilings(self):
        with tempfile.TemporaryDirectory(prefix="consulta-att-cli-") as work:
            db = os.path.join(work, "c.db")
            for args, ok in ((["--attachment-max-size", "10240"], True), (["--attachment-max-size", "10241"], False),
                             (["--attachment-max-size", "0"], False), (["--attachment-max-count", "10"], True),
                             (["--attachment-max-count", "11"], False), (["--attachment-max-count", "x"], False)):
                with self.subTest(args=args):
                    p = harness.run_command(args + ["init"], db=db)
                    self.assertEqual(p.returncode, 0 if ok else 2, p.stderr)
                    if not ok:
                        self.assertIn("wants a number from 1 to", p.stderr)


class TestSlowUpload(ServerTestCase):
    """A body with files may take longer than the 30 s a request has: 30 s plus its size beyond 2 MiB at
    64 KiB/s (web/server.c), so that an upload on a slow line is not cut."""

    def test_a_large_body_sent_over_more_than_30_seconds_is_received(self):
        c = harness.contribution()
        c["attachments"] = [{"filename": "long.txt", "content_base64": b64(b"slow line\n" * 180000)}]
        body = json.dumps(c).encode()  # about 2.4 MiB: 30 s + 6 s allowed
        self.assertGreater(len(body), 2 * 1024 * 1024)
        head = ("POST /api/v1/calls/1/contributions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)).encode()
        began = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=60) as sock:
            sock.sendall(head)
            # evenly over 33 s, as a slow line sends it: past the 30 s of an ordinary request, never idle
            step = len(body) // 33 + 1
            for i in range(0, len(body), step):
                sock.sendall(body[i:i + step])
                time.sleep(max(0, began + (i // step + 1) - time.monotonic()))
            status, _, answer = harness.read_response(sock)
        self.assertGreater(time.monotonic() - began, 31)
        self.assertEqual(status, 201, answer[:500])


class TestNoClamd(ServerTestCase):
    """No --clamd at all: files are kept and held for scanning, and the pages say so."""

    def test_held_without_clamd(self):
        c = harness.contribution()
        c["attachments"] = [{"filename": "paper.txt", "content_base64": b64(b"kept\n")}]
        r = self.server.post_json("/api/v1/calls/1/contributions", c)
        self.assertEqual(r.status, 201, r)
        tracking = r.json()["tracking"]
        self.assertIn("waiting for its virus check", self.server.get("/contributions/" + tracking).text)
        self.assertEqual(self.server.get("/contributions/%s/attachments/1/paper.txt" % tracking).status, 409)


if __name__ == "__main__":
    unittest.main()
