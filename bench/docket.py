#!/usr/bin/env python3
"""docket.py — a synthetic docket of mass campaigns for the campaign bench, and its score.

  docket.py load DB CALL N [--templates T] [--seed S] [--truth FILE]
      appends N contributions to call CALL of the Consulta SQLite database DB (rows written
      directly, in batches: the bulk path; `consulta campaigns --call CALL` then recognises
      the campaigns) and writes the generator's truth to FILE: one line per contribution,
      "TRACKING CLASS", CLASS the template's number or "u<i>" for a unique text.
  docket.py jsonl N [--templates T] [--seed S] [--truth FILE] [--category SLUG]
      the same contributions as JSON lines on standard output, in order, each a whole
      contribution as the API and `consulta import` take it (line i: name "Sender i",
      address si@example.org, the category SLUG, default academia); the truth names them
      by their line number, from 0.
  docket.py score DB CALL --truth FILE [--by-name]
      (--by-name: the truth is jsonl's, by line number, matched through the name "Sender i")
      compares the campaigns stored for the call (contribution.campaign_id) with the truth
      and prints pairwise precision and recall (over all pairs of contributions: a pair is
      predicted when both are in one campaign, true when both come from one template) and
      B-cubed precision and recall (per contribution, averaged), as JSON.

What the docket is like (FCC docket 17-108): 94 % of the contributions come from T campaign
templates (default 300, sizes skewed: a few very large), the rest are unique texts. A
template is 5 to 10 sentences of pseudo-words; about half the templates have 4 to 12 slots
where each member picks one of 3 or 4 synonyms; a fifth are siblings of another template, opening
with its first 40 % of sentences (the same talking points), so that precision is tried; each member has a mail-merge greeting
("Dear Commissioner Okafor," in one of several forms, or none), a closing and signature
with its own name and town (in several forms, or none), and sometimes a personal sentence
with its town and a number of years. Unique texts are 40 to 250 random words. Everything is
seeded: the same arguments make the same docket.
"""
import argparse
import json
import random
import sqlite3
import sys

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "da", "gu", "fa", "zo", "be", "ri",
             "ha", "no", "ce", "lu", "mo", "sa", "te", "wi", "ya", "xo", "qu", "el", "an", "or", "is"]


def make_words(rng, n):
    seen, out = set(), []
    while len(out) < n:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


class Docket:
    def __init__(self, templates, seed):
        rng = random.Random(seed)
        self.vocab = make_words(rng, 30000)
        self.first = [w.capitalize() for w in make_words(rng, 400)]
        self.last = [w.capitalize() for w in make_words(rng, 2000)]
        self.towns = [w.capitalize() for w in make_words(rng, 800)]
        self.templates = []
        for i in range(templates):
            sentences = []
            for _ in range(rng.randint(5, 10)):
                sentences.append([rng.choice(self.vocab) for _ in range(rng.randint(8, 20))])
            if i > 0 and rng.random() < 0.2:
                # a sibling: a campaign on the same side that reuses 40 % of another's talking points
                parent = self.templates[rng.randrange(i)][0]
                shared = parent[:max(1, len(parent) * 2 // 5)]
                sentences = list(shared) + sentences[:max(1, len(sentences) - len(shared))]
            words = [w for s in sentences for w in s]
            slots = {}
            if rng.random() < 0.5:
                for pos in rng.sample(range(len(words)), min(len(words), rng.randint(4, 12))):
                    slots[pos] = [words[pos]] + [rng.choice(self.vocab) for _ in range(rng.randint(2, 3))]
            self.templates.append((sentences, slots))
        # campaign sizes: Zipf-like weights, a few very large campaigns and a long tail
        self.weights = [1.0 / (i + 1) ** 0.9 for i in range(templates)]

    def greeting(self, rng):
        title = rng.choice(["Commissioner", "Chairman", "Madam Secretary", "Mr.", "Ms.", "Dr."])
        name = rng.choice(self.last)
        return rng.choice([f"Dear {title} {name},", f"Dear {title} {name}:", "To the Commission,",
                           f"Hello {title} {name},", "Dear Sir or Madam,", "", ""])

    def closing(self, rng):
        name = f"{rng.choice(self.first)} {rng.choice(self.last)}"
        town = rng.choice(self.towns)
        return rng.choice([f"Sincerely,\n{name}", f"Best regards,\n{name}\n{town}", f"Thank you,\n{name}",
                           f"Respectfully,\n{name}\n{town}, {rng.randint(10000, 99999)}", name,
                           f"Sincerely, {name}", ""])

    def member(self, rng, t):
        sentences, slots = self.templates[t]
        out, pos = [], 0
        for s in sentences:
            ws = []
            for w in s:
                ws.append(rng.choice(slots[pos]) if pos in slots else w)
                pos += 1
            out.append(" ".join(ws).capitalize() + ".")
        if rng.random() < 0.3:
            personal = f"I have lived in {rng.choice(self.towns)} for {rng.randint(2, 60)} years."
            if rng.random() < 0.5:
                out.insert(0, personal)
            else:
                out.append(personal)
        return self.letter(rng, " ".join(out))

    def letter(self, rng, body):
        parts = [self.greeting(rng), body, self.closing(rng)]
        return "\n\n".join(p for p in parts if p)

    def unique(self, rng):
        words = [rng.choice(self.vocab) for _ in range(rng.randint(40, 250))]
        body = " ".join(words).capitalize() + "."
        return self.letter(rng, body)

    def contributions(self, n, seed):
        """(class, text) for each of n contributions, in arrival order."""
        rng = random.Random(seed + 1)
        templates = range(len(self.templates))
        for i in range(n):
            if rng.random() < 0.94:
                t = rng.choices(templates, weights=self.weights)[0]
                yield str(t), self.member(rng, t)
            else:
                yield f"u{i}", self.unique(rng)


def cmd_load(a):
    d = Docket(a.templates, a.seed)
    db = sqlite3.connect(a.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    cat = db.execute("SELECT k.id FROM call c JOIN category k ON k.process_id = c.process_id WHERE c.id = ? "
                     "ORDER BY k.id LIMIT 1", (a.call,)).fetchone()
    if not cat:
        sys.exit(f"docket.py: no call {a.call} (or its process has no category)")
    start = db.execute("SELECT opens_at FROM call WHERE id = ?", (a.call,)).fetchone()[0] or 0
    truth = open(a.truth, "w") if a.truth else None
    sql = ("INSERT INTO contribution (tracking, call_id, channel, name, organization, category_id, country, "
           "email, text, publication, received_at, state) VALUES (?, ?, 'api', ?, '', ?, 'CH', ?, ?, 'named', ?, "
           "'published')")
    batch = []
    for i, (cls, text) in enumerate(d.contributions(a.n, a.seed)):
        tracking = f"BENCH-{i:09d}"
        batch.append((tracking, a.call, f"Sender {i}", cat[0], f"s{i}@example.org", text, start + i // 50))
        if truth:
            truth.write(f"{tracking} {cls}\n")
        if len(batch) == 10000:
            db.executemany(sql, batch)
            db.commit()
            batch = []
    if batch:
        db.executemany(sql, batch)
        db.commit()
    if truth:
        truth.close()


def cmd_jsonl(a):
    d = Docket(a.templates, a.seed)
    truth = open(a.truth, "w") if a.truth else None
    for i, (cls, text) in enumerate(d.contributions(a.n, a.seed)):
        print(json.dumps({"name": f"Sender {i}", "organization": "", "category": a.category, "country": "CH",
                          "email": f"s{i}@example.org", "text": text, "publication": "named"}))
        if truth:
            truth.write(f"{i} {cls}\n")


def pairs(n):
    return n * (n - 1) // 2


def cmd_score(a):
    truth = {}
    with open(a.truth) as f:
        for line in f:
            key, cls = line.split()
            truth[key] = cls
    db = sqlite3.connect(a.db)
    cells, clusters, classes = {}, {}, {}
    for tracking, campaign, name in db.execute("SELECT tracking, campaign_id, name FROM contribution "
                                               "WHERE call_id = ?", (a.call,)):
        if a.by_name:
            tracking = name.rsplit(" ", 1)[-1] if name and name.startswith("Sender ") else None
        if tracking not in truth:
            continue
        cls = truth[tracking]
        cl = campaign if campaign is not None else "single-" + tracking
        cells[(cl, cls)] = cells.get((cl, cls), 0) + 1
        clusters[cl] = clusters.get(cl, 0) + 1
        classes[cls] = classes.get(cls, 0) + 1
    n = sum(clusters.values())
    tp = sum(pairs(c) for c in cells.values())
    predicted = sum(pairs(c) for c in clusters.values())
    true = sum(pairs(c) for c in classes.values())
    b_p = sum(c * c / clusters[cl] for (cl, _), c in cells.items()) / n if n else 0
    b_r = sum(c * c / classes[cls] for (_, cls), c in cells.items()) / n if n else 0
    campaigns = len([c for c in clusters if not str(c).startswith("single-")])
    print(json.dumps({
        "contributions": n, "campaigns": campaigns, "templates_seen": len([c for c in classes if c[0] != "u"]),
        "pairwise_precision": round(tp / predicted, 4) if predicted else 1.0,
        "pairwise_recall": round(tp / true, 4) if true else 1.0,
        "bcubed_precision": round(b_p, 4), "bcubed_recall": round(b_r, 4)}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("load", "jsonl"):
        s = sub.add_parser(name)
        if name == "load":
            s.add_argument("db")
            s.add_argument("call", type=int)
        s.add_argument("n", type=int)
        s.add_argument("--templates", type=int, default=300)
        s.add_argument("--seed", type=int, default=17108)
        s.add_argument("--truth")
        if name == "jsonl":
            s.add_argument("--category", default="academia")
    s = sub.add_parser("score")
    s.add_argument("db")
    s.add_argument("call", type=int)
    s.add_argument("--truth", required=True)
    s.add_argument("--by-name", action="store_true")
    a = p.parse_args()
    {"load": cmd_load, "jsonl": cmd_jsonl, "score": cmd_score}[a.cmd](a)


if __name__ == "__main__":
    main()
