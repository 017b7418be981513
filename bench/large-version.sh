#!/bin/bash
# Benchmarks the pages of a large draft against nginx serving the same bytes
# (issue 8, "size and speed"): a version of 1,000 paragraphs (some 121 KB of
# Markdown) with 20,000 published comments, its page with and without
# Accept-Encoding: gzip, and the comparison of two versions of 1,000
# paragraphs (/versions/{a}/compare/{b}), each run by bench/version-page.sh.
#
#   bench/large-version.sh BUILD_DIR      (`make bench-large` runs it on build/)
#
# It makes a new database (init and the demo), adds a document to the demo's
# process and posts through the JSON API, with a secretariat's token from
# `consulta token create`: a first version, a second one where about one
# paragraph in ten is edited, moved, removed or new, a call open on the second
# one, and 1,000 contributions of 20 comments each on its paragraphs (when
# the API takes comments: otherwise it says so and goes on without them).
# Then it prints one line per page:
#   version page: consulta 10000 req/s, nginx 12000 req/s, ratio 0.83
# and "not available" for a page this build does not have.
#
# Knobs: those of bench/version-page.sh (BENCH_DURATION, BENCH_ROUNDS, ...),
# and BENCH_PARAGRAPHS (default 1000), BENCH_COMMENTS (default 20000);
# BENCH_SAVE_DB=FILE also keeps a copy of the database made (to profile it).
set -u

BENCH_NAME=large-version
. "$(dirname "$0")/lib.sh"
die() { bench_die "$@"; }
bench_begin "$@" curl python3
PARAGRAPHS=${BENCH_PARAGRAPHS:-1000}
COMMENTS=${BENCH_COMMENTS:-20000}

# --- the database -----------------------------------------------------------
bench_demo

# The servers are started directly (not through run), so that $! is consulta itself.
# Writing 1,000 contributions one commit each: the server's log goes to a file.
bench_serve

# Writes the versions, the call and the comments; prints "A B" (the two versions' ids) on its last line.
python3 - "$PORT" "$TOKEN" "$PARAGRAPHS" "$COMMENTS" >"$TMP/load.out" 2>"$TMP/load.err" <<'EOF' || { cat "$TMP/load.err" >&2; die "loading the draft failed"; }
import datetime, http.client, json, random, re, sys

port, token, paragraphs, comments = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(8)
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

def call(method, path, body=None, auth=True):
    h = {"Content-Type": "application/json"}
    if auth:
        h["Authorization"] = "Bearer " + token
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = conn.getresponse()
    data = r.read()
    return r.status, r.headers, data

def must(expect, status, what, data):
    if status != expect:
        sys.exit("%s: %d %s" % (what, status, data[:500].decode("utf-8", "replace")))

WORDS = ("the parties shall ensure that any measure taken under this article is consistent with their "
         "obligations under international law including the principles of transparency accountability and "
         "participation of stakeholders in the design implementation and review of the guidelines at national "
         "regional and global levels taking into account national circumstances capacities and priorities as "
         "well as the needs of developing countries and communities most vulnerable to the adverse effects of "
         "climate change secretariat report annex").split()

def sentence():
    w = [rnd.choice(WORDS) for _ in range(rnd.randint(8, 18))]
    return " ".join(w).capitalize() + "."

def para(i):
    # ~115 bytes of Markdown a paragraph, some with emphasis or a link, as drafts have
    text = " ".join(sentence() for _ in range(rnd.randint(1, 2)))[:rnd.randint(100, 160)].rstrip(" ,") + "."
    if i % 17 == 0:
        text = "*Recalling* " + text
    if i % 29 == 0:
        text += " See [annex](https://example.org/annex)."
    return text

blocks = []
for i in range(1, paragraphs + 1):
    if i % 25 == 1:
        blocks.append("## Part %d" % (i // 25 + 1))
    blocks.append(para(i))
first = "# A draft of %d paragraphs\n\n" % paragraphs + "\n\n".join(blocks) + "\n"

# The second version: about one paragraph in ten edited, moved, removed or new.
second_blocks = list(blocks)
for k in rnd.sample(range(len(second_blocks)), len(second_blocks) // 25):
    if not second_blocks[k].startswith("#"):
        second_blocks[k] = second_blocks[k].replace(" the ", " all the ", 1) + " (Edited.)"
for _ in range(len(second_blocks) // 100):
    a = rnd.randrange(len(second_blocks))
    moved = second_blocks.pop(a)
    second_blocks.insert(rnd.randrange(len(second_blocks)), moved)
for _ in range(len(second_blocks) // 100):
    del second_blocks[rnd.randrange(len(second_blocks))]
for _ in range(len(second_blocks) // 100):
    second_blocks.insert(rnd.randrange(len(second_blocks)), "A new paragraph. " + para(0))
second = "# A draft of %d paragraphs, revised\n\n" % paragraphs + "\n\n".join(second_blocks) + "\n"
print("markdown: %d bytes, then %d bytes" % (len(first.encode()), len(second.encode())))

slug = "gca-guidelines"
s, _, d = call("POST", "/api/v1/processes/%s/documents" % slug, {"slug": "large", "title": "A large draft"})
must(201, s, "document", d)
ids = []
for date, label, md in (("2021-01-10", "Large draft", first), ("2021-01-20", "Large draft, revised", second)):
    s, h, d = call("POST", "/api/v1/processes/%s/documents/large/versions" % slug,
                   {"date": date, "label": label, "note": "For the benchmark.", "markdown": md})
    must(201, s, "version", d)
    ids.append(json.loads(d)["id"])
a, b = ids

today = datetime.date.today()
s, _, d = call("POST", "/api/v1/processes/%s/calls" % slug,
               {"version_id": b, "title": "Comments on the large draft", "description": "For the benchmark.",
                "opens_on": (today - datetime.timedelta(days=1)).isoformat(),
                "closes_on": (today + datetime.timedelta(days=60)).isoformat()})
must(201, s, "call", d)
call_id = json.loads(d)["id"]

conn.request("GET", "/versions/%d" % b)
r = conn.getresponse()
page = r.read().decode("utf-8")
pids = re.findall(r'<div class="para" id="(p\d+)">', page)
print("version %d: %d paragraphs, page %d bytes" % (b, len(pids), len(page.encode())))

def contribution(n, with_comments):
    body = {"name": "Contributor %d" % n, "organization": "Organization %d" % (n % 50),
            "category": "academia", "country": "FR", "email": "c%d@example.org" % n,
            "text": "Covering letter %d." % n, "publication": "named"}
    if with_comments:
        body["comments"] = [{"paragraph": rnd.choice(pids), "type": rnd.choice(("general", "technical", "editorial")),
                             "comment": sentence(), "proposed_change": sentence()} for _ in range(20)]
    return body

# Does this build take comments? Send one contribution with them and read it back.
s, _, d = call("POST", "/api/v1/calls/%d/contributions" % call_id, contribution(0, True), auth=False)
has_comments = False
if s == 201:
    tracking = json.loads(d)["tracking"]
    s2, _, d2 = call("GET", "/api/v1/contributions/%s" % tracking)
    has_comments = s2 == 200 and bool(json.loads(d2).get("comments"))
if not has_comments or comments <= 0:
    print("note: this build's API takes no comments: the page is measured without them")
else:
    sent = 20
    n = 1
    while sent < comments:
        s, _, d = call("POST", "/api/v1/calls/%d/contributions" % call_id, contribution(n, True), auth=False)
        must(201, s, "contribution %d" % n, d)
        sent += 20
        n += 1
    print("comments: %d published, in %d contributions" % (sent, n))
print(a, b)
EOF
cat "$TMP/load.out" | sed '$d'
read -r A B < <(tail -1 "$TMP/load.out")
[ -n "$B" ] || die "no versions were made"
bench_stop
if [ -n "${BENCH_SAVE_DB:-}" ]; then
	cp "$DB" "$BENCH_SAVE_DB" || die "cannot copy the database to $BENCH_SAVE_DB"
	echo "database saved as $BENCH_SAVE_DB; versions $A and $B"
fi

# --- the pages ----------------------------------------------------------------
# A page this build does not have (the comparison, before it is merged) says so instead of failing.
available() { # path
	local status
	bench_serve --threads 1
	status=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$URL$1")
	bench_stop
	[ "$status" = 200 ]
}

summary=()
measure() { # name path accept-encoding
	local out="$TMP/bench.out"
	if ! available "$2"; then
		summary+=("$1: not available ($2 is not in this build)")
		return
	fi
	BENCH_DB="$DB" BENCH_PATH="$2" BENCH_ACCEPT_ENCODING="$3" "$HERE/version-page.sh" "$BUILD" | tee "$out"
	summary+=("$1: $(tail -1 "$out")")
}
measure "version page" "/versions/$B" ""
measure "version page, gzip" "/versions/$B" gzip
measure "comparison" "/versions/$A/compare/$B" ""
measure "comparison, gzip" "/versions/$A/compare/$B" gzip
echo
printf '%s\n' "${summary[@]}"
