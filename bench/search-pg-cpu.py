#!/usr/bin/env python3
# bench/search-pg-cpu.py URL WORD...: the time on CPU (/proc/PID/schedstat, which a loaded machine does not inflate
# as it does the wall clock) of the PostgreSQL backend for a first page of search of each word, its statements as
# core/search.c runs them (custom plans, LIMIT_SEARCH_RANKED 2,000, LIMIT_SEARCH_COUNTED 10,000): the tally, the
# window's walk (only beyond the bound) and the ranked list with its snippets; the median of 3 after a warming run.
# It reads /proc, so run it on the database's machine (as root, or as the server's user).
import subprocess, sys, statistics
url, words = sys.argv[1], sys.argv[2:]
p = subprocess.Popen(["psql", "-X", "-q", "-At", "-d", url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
def run(sql):
    p.stdin.write(sql + "\n\\echo @@DONE\n"); p.stdin.flush()
    out = []
    while True:
        l = p.stdout.readline()
        if l.strip() == "@@DONE": return out
        out.append(l.strip())
pid = run("SELECT pg_backend_pid();")[0]
run("SET plan_cache_mode = force_custom_plan;")
def cpu(): return int(open("/proc/%s/schedstat" % pid).read().split()[0])
def timed(sql):
    t = cpu(); out = run(sql); return cpu() - t, out
for w in words:
    q = "to_tsquery('search_words', '''%s''')" % w
    win = ("SELECT least(count(*), 2000), CASE WHEN count(*) > 2000 THEN (array_agg(w.id ORDER BY w.id))[2] ELSE min(w.id) END, max(w.id), count(*) > 2000 "
           "FROM (SELECT e.id AS id FROM search_entry e WHERE e.words @@ %s ORDER BY e.id DESC LIMIT 2001 OFFSET 0) w;" % q)
    res = {"window": [], "count": [], "list": []}
    tally = ("SELECT count(*), (array_agg(m.id ORDER BY m.id DESC))[least(count(*), 2000)], max(m.id) FROM "
             "(SELECT e.id FROM search_entry e WHERE e.words @@ (SELECT %s) LIMIT 10001) m;" % q)
    for r in range(4):
        dt, out = timed(tally)
        total, lo, hi = out[0].split("|")
        if r: res["count"].append(dt)
        if int(total) > 10000:
            dt, out = timed(win)
            n, lo, hi, more = out[0].split("|")
            if r: res["window"].append(dt)
        lst = ("SELECT e.kind, e.ref_id, p.slug, e.title, ts_headline('search_words', e.body, %s, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=35, MinWords=15') "
               "FROM search_entry e JOIN process p ON p.id = e.process_id WHERE e.words @@ %s AND e.id BETWEEN %s AND %s ORDER BY ts_rank(e.words, %s) DESC, e.id LIMIT 20;" % (q, q, lo or 0, hi or 0, q))
        dt, out = timed(lst)
        if r: res["list"].append(dt)
    med = {k: statistics.median(v) / 1e6 if v else 0 for k, v in res.items()}
    print("%-10s total %6s: walk %6.1f tally %6.1f list %6.1f = %6.1f ms on CPU" % (w, total, med["window"], med["count"], med["list"], sum(med.values())))
