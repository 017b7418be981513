#!/usr/bin/env python3
"""po — the interface's catalogues, built by meson (po/meson.build).

  po.py pot OUT.pot SOURCE...        extract the marked strings (xgettext: _, N_, i18n_n, html_tr, html_tr_n,
                                     and C_/NC_ with their context as msgctxt)
  po.py mo LANG PO POT OUT.mo        check PO against the template, then compile it (msgfmt --check):
                                     fails, naming each string, if one is untranslated or fuzzy
                                     (a string in the sources that the catalogue lacks is untranslated)
                                     or if the Plural-Forms header is not the language's
  po.py pseudo POT OUT.po            the pseudo-locale: every msgstr the msgid bracketed, its letters
                                     accented and padded to 140 % of its length (format directives,
                                     tags and entities kept as they are)
  po.py update POT PO...             merge the template into the catalogues (for translators)
"""
import os
import re
import subprocess
import sys
import tempfile

# The CLDR plural rules as gettext writes them; a catalogue with another header is refused.
PLURAL_FORMS = {
    'ar': 'nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);',
    'en': 'nplurals=2; plural=(n != 1);',
    'es': 'nplurals=2; plural=(n != 1);',
    'fr': 'nplurals=2; plural=(n > 1);',
    'ru': 'nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);',
    'zh': 'nplurals=1; plural=0;',
}


def run(*args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw)


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pot(out, sources):
    # From the source root, so that the references read "src/web/page.c" wherever the build is.
    out = os.path.abspath(out)
    sources = [os.path.relpath(os.path.abspath(s), ROOT) for s in sources]
    run('xgettext', '--language=C', '--from-code=UTF-8', '--keyword=_', '--keyword=N_', '--keyword=i18n_n:1,2',
        '--keyword=html_tr:2', '--keyword=html_tr_n:2,3', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
        '--add-comments=TRANSLATORS:', '--package-name=consulta', '--msgid-bugs-address=consulta@localhost',
        '--sort-by-file', '--add-location=file', '-o', out, *sources, cwd=ROOT)
    if not os.path.exists(out):  # xgettext writes nothing when no string is marked
        with open(out, 'w', encoding='utf-8') as f:
            f.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n')


def entries(text):
    """The msgids (with their plural) of a .po file whose messages are untranslated/fuzzy per msgattrib."""
    return re.findall(r'^msgid "(.+)"$', text, re.M)


def mo(lang, po, template, out):
    with open(po, encoding='utf-8') as f:
        header = f.read().replace('"\n"', '')  # a header field wrapped over lines, joined
    m = re.search(r'Plural-Forms: *([^"]*?)\\n', header)
    if not m or m.group(1).strip() != PLURAL_FORMS[lang]:
        sys.exit(f'{po}: Plural-Forms must be "{PLURAL_FORMS[lang]}"')
    with tempfile.TemporaryDirectory() as tmp:
        merged = os.path.join(tmp, 'merged.po')
        # Against the template: a string added to the sources and missing here counts as untranslated.
        run('msgmerge', '--quiet', '--no-fuzzy-matching', '--no-wrap', '-o', merged, po, template)
        bad = run('msgattrib', '--no-obsolete', '--untranslated', '--no-wrap', merged).stdout
        fuzzy = run('msgattrib', '--no-obsolete', '--only-fuzzy', '--no-wrap', merged).stdout
        problems = [f'untranslated: {s}' for s in entries(bad)] + [f'fuzzy: {s}' for s in entries(fuzzy)]
        with open(merged, encoding='utf-8') as f:
            problems += [f'directives do not fit: {s}' for s in misfits(f.read())]
        if problems:
            sys.exit(f'{po}: {len(problems)} string(s) to translate (po.py update, then translate):\n  '
                     + '\n  '.join(problems))
        stats = run('msgfmt', '--check', '--statistics', '-o', out, merged).stderr.strip()
        print(f'{lang}: {stats}')


# html_tr()'s directives (render/html.h): %s %u %d %L %R, positional in a translation ("%2$s").
HTML_DIRECTIVE = re.compile(r'%(?:(%)|([1-9])\$([a-zA-Z])|([a-zA-Z]))')


def html_kinds(text):
    """[(place, kind)] of text's directives, places counted as html_tr does; None if one is not html_tr's or the
    text mixes positional and sequential ones."""
    out, seq, positional, sequential = [], 0, False, False
    for m in HTML_DIRECTIVE.finditer(text):
        if m.group(1):
            continue
        if m.group(2):
            place, kind, positional = int(m.group(2)) - 1, m.group(3), True
        else:
            place, kind, sequential = seq, m.group(4), True
            seq += 1
        if kind not in 'sudLR' or (positional and sequential):
            return None
        out.append((place, kind))
    if re.search(r'%(?![1-9a-zA-Z])', text.replace('%%', '')):
        return None
    return out


def po_entries(text):
    """(msgid, msgid_plural or None, [msgstr...]) of each translated entry of a .po written with --no-wrap."""
    found, cur, key = [], None, None
    for line in text.splitlines() + ['']:
        if line.startswith('msgid '):
            if cur:
                found.append(cur)
            cur, key = {'id': unquote(line[6:]), 'plural': None, 'str': []}, 'id'
        elif line.startswith('msgid_plural ') and cur:
            cur['plural'] = unquote(line[13:])
        elif line.startswith('msgstr') and cur:
            cur['str'].append(unquote(line.split(' ', 1)[1]))
        elif line.startswith('"') and cur and cur['str']:
            cur['str'][-1] += unquote(line)
        elif line.startswith('#~'):
            cur = None
    if cur:
        found.append(cur)
    return [(e['id'], e['plural'], e['str']) for e in found if e['id']]


def misfits(text):
    """The msgids whose translation names a value the msgid has not, of another kind, or (singular) leaves one out:
    html_tr() would show English instead, and printf would misread its arguments."""
    bad = []
    for msgid, plural, strs in po_entries(text):
        values = html_kinds(plural if plural is not None else msgid)
        if values is None or not values:
            continue
        kinds = [k for _, k in values]
        for s in strs:
            if not s:
                continue
            got = html_kinds(s)
            fits = got is not None and all(p < len(kinds) and kinds[p] == k for p, k in got)
            if fits and plural is None:
                fits = {p for p, _ in got} == set(range(len(kinds)))
            if not fits:
                bad.append(msgid)
                break
    return bad


ACCENTS = str.maketrans('aceinousyAEIOUCNSY', 'àçéîñöûšýÀÉÎÖÛÇÑŠÝ')
# Kept as they are: printf directives (%s, %d, %lld, %zu, %%), tags, entities.
KEEP = re.compile(r'%(?:%|(?:[1-9]\$)?[-+ #0]*\d*(?:\.\d+)?(?:ll|l|z|h)?[a-zA-Z])|<[^>]*>|&[a-z#0-9]+;')


def pseudo_text(s):
    # A text that begins or ends with a line break (a mail's paragraph) keeps it outside the brackets, as
    # msgfmt --check requires of every translation.
    head, body = s[:len(s) - len(s.lstrip('\n'))], s.lstrip('\n')
    tail = body[len(body.rstrip('\n')):]
    if head or tail:
        return head + pseudo_text(body.rstrip('\n')) + tail if body.strip('\n') else s
    out, pos, letters = [], 0, 0
    for m in KEEP.finditer(s):
        out.append(s[pos:m.start()].translate(ACCENTS))
        letters += m.start() - pos
        out.append(m.group(0))
        pos = m.end()
    out.append(s[pos:].translate(ACCENTS))
    letters += len(s) - pos
    pad = '·' * max(1, round(letters * 0.4))
    return '[' + ''.join(out) + pad + ']'


ESCAPES = {'n': '\n', 't': '\t', '"': '"', '\\': '\\'}


def unquote(q):
    """A quoted PO string's text (msgcat --no-wrap writes each on one line)."""
    return re.sub(r'\\(.)', lambda m: ESCAPES.get(m.group(1), m.group(0)), q.strip()[1:-1])


def quote(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n').replace('\t', '\\t') + '"'


def pseudo(template, out):
    with tempfile.TemporaryDirectory() as tmp:
        flat = os.path.join(tmp, 'flat.pot')
        run('msgcat', '--no-wrap', '-o', flat, template)
        with open(flat, encoding='utf-8') as f:
            lines = f.read().splitlines()
    res = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
           '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', '']
    msgid = plural = context = None
    flags = []
    for line in lines + ['']:
        if line.startswith('#,'):
            flags.append(line)
        elif line.startswith('msgctxt '):  # C_(): the entry's context goes with it, or the lookup misses it
            context = unquote(line[8:])
        elif line.startswith('msgid '):
            msgid = unquote(line[6:])
        elif line.startswith('msgid_plural '):
            plural = unquote(line[13:])
        elif line == '' and msgid is not None:
            if msgid:
                res += [f for f in flags if 'fuzzy' not in f]
                if context is not None:
                    res.append('msgctxt ' + quote(context))
                res.append('msgid ' + quote(msgid))
                if plural is not None:
                    res += ['msgid_plural ' + quote(plural), 'msgstr[0] ' + quote(pseudo_text(msgid)),
                            'msgstr[1] ' + quote(pseudo_text(plural))]
                else:
                    res.append('msgstr ' + quote(pseudo_text(msgid)))
                res.append('')
            msgid = plural = context = None
            flags = []
        elif line == '':
            flags = []
    with open(out, 'w', encoding='utf-8') as f:
        f.write('\n'.join(res) + '\n')


def update(template, pos):
    for po in pos:
        run('msgmerge', '--quiet', '--update', '--backup=none', '--no-fuzzy-matching', '--no-wrap', po, template)


def main(argv):
    cmd = argv[1]
    if cmd == 'pot':
        pot(argv[2], argv[3:])
    elif cmd == 'mo':
        mo(argv[2], argv[3], argv[4], argv[5])
    elif cmd == 'pseudo':
        pseudo(argv[2], argv[3])
        run('msgfmt', '--check', '-o', argv[4], argv[3])
    elif cmd == 'update':
        update(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
