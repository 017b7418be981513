#!/usr/bin/env python3
"""The corpus of bench/langid.sh: texts whose language is known, one a line, "KIND<TAB>EXPECTED<TAB>TEXT".

Made from facts of this repository only: the interface's own sentences in the six languages (po/*.po: msgstr,
the msgid for English), the seed letter (English), and sentences written for this bench (languages the interface
does not offer, mixed texts, texts of names, addresses and numbers only). EXPECTED is the tag language_detect()
should give; "" where it must not guess (a language not offered, nothing but names and numbers); "a|b" where
either is right (a text half in each).

Kinds: short (one sentence of 24-120 bytes), 200, 1k, 5k (sentences of one language joined to that many bytes),
seed-* (the seed letter cut to a size), mixed-* (a main language and another), other (German, Portuguese,
Italian, Dutch, Polish: not offered), names (no language at all). Seeded: the same corpus every run.

    bench/langid_corpus.py REPO_DIR [SEED_DIR] > corpus.tsv
"""

import glob
import os
import random
import re
import sys

LANGS = ["en", "fr", "es", "ru", "zh", "ar"]
SIZES = {"200": 200, "1k": 1024, "5k": 5120}
PER_KIND = 40  # texts per language and kind


def po_sentences(path, english):
    """The translated sentences of a po file, stripped of directives and markup, of at least 24 bytes."""
    text = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(r'(?ms)^msgid ((?:"(?:[^"\\]|\\.)*"\s*)+)msgstr ((?:"(?:[^"\\]|\\.)*"\s*)+)', text):
        raw = m.group(1) if english else m.group(2)
        s = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', raw))
        s = s.replace('\\"', '"').replace("\\n", " ").replace("\\t", " ").replace("\\\\", "\\")
        s = re.sub(r"%(\d+\$)?[-+ #0']*\d*(\.\d+)?(l|ll|z)?[sdiuxXfgcL%]", "", s)
        s = re.sub(r"<[^>]*>|\{[^}]*\}", "", s)
        s = re.sub(r"\s+", " ", s).strip()
        if len(s.encode("utf-8")) >= 24 and not s.startswith("Project-Id"):
            out.append(s)
    return out


def cut(text, size):
    """text cut to at most size bytes, at a character's start."""
    b = text.encode("utf-8")[:size]
    return b.decode("utf-8", "ignore")


def joined(rng, sentences, size):
    """Sentences drawn in order from a random start, joined until size bytes."""
    i = rng.randrange(len(sentences))
    parts, n = [], 0
    while n < size:
        s = sentences[i % len(sentences)]
        parts.append(s)
        n += len(s.encode("utf-8")) + 1
        i += 1
    return cut(" ".join(parts), size)


# Written for this bench: languages the interface does not offer (the answer must be "", not one of the six).
OTHER = [
    "Wir sind der Meinung, dass der Entwurf die Bedürfnisse kleiner Unternehmen stärker berücksichtigen sollte.",
    "Die Frist für die Umsetzung ist zu kurz; die Gemeinden brauchen mindestens zwei weitere Jahre dafür.",
    "Consideramos que o projeto deveria ter mais em conta as necessidades das pequenas empresas e dos municípios.",
    "O prazo de execução é demasiado curto e as autarquias precisam de mais dois anos para se adaptarem.",
    "Riteniamo che il progetto debba tenere maggiormente conto delle esigenze delle piccole imprese e dei comuni.",
    "Il termine per l'attuazione è troppo breve: i comuni hanno bisogno di almeno altri due anni per prepararsi.",
    "Wij vinden dat het ontwerp beter rekening moet houden met de behoeften van kleine bedrijven en gemeenten.",
    "Uważamy, że projekt powinien w większym stopniu uwzględniać potrzeby małych przedsiębiorstw i gmin.",
]
# Written for this bench: nothing but names, addresses, references and numbers (no language to tell).
NAMES = [
    "https://consultation.example.org/calls/12/contributions?page=3&per_page=100",
    "Preetam Maloor, Kofi Mensah, Ana Pérez, Olga Ivanova, Li Wei, Fatima Haddad",
    "+41 22 730 54 17 / +41 22 730 61 12 / +254 20 123 4567",
    "CL-20/55 CL-20/18 2020-12-23 2021-02-15 ITU-T Y.3172 ISO 3166-1",
    "kofi.mensah@example.org; ana.perez@example.org; olga@example.org",
    "1234567890 2345678901 3456789012 4567890123 5678901234",
    "Place des Nations, CH-1211 Genève 20, Suisse; P.O. Box 30552, 00100 Nairobi",
    "WSIS GCA ITU UNESCO UNDP WHO WIPO ICANN IETF W3C IEEE ETSI",
    "§ 3.1.2, ¶ 14, annex B.4, table 7, figure 12, p. 233-241",
    "www.example.org www.example.net ftp.example.com git.example.org/consulta.git",
]
# Written for this bench: a contribution in one language with a line or two in another.
MIXED = [
    ("en", "fr", "We support the draft, in particular the second chapter on community networks and the role of "
     "local authorities in financing them. As our French partners wrote: « nous soutenons le projet ». We ask "
     "that the secretariat publish the replies of every member state before the next meeting of the council."),
    ("fr", "en", "Nous soutenons le projet, notamment le deuxième chapitre sur les réseaux communautaires et le "
     "rôle des collectivités locales dans leur financement. Our English partners agree with this. Nous demandons "
     "que le secrétariat publie les réponses de chaque État membre avant la prochaine réunion du conseil."),
    ("es", "en", "Apoyamos el proyecto, en particular el segundo capítulo sobre las redes comunitarias y el papel "
     "de las autoridades locales en su financiación. See also our earlier reply. Pedimos que la secretaría "
     "publique las respuestas de cada Estado miembro antes de la próxima reunión del consejo."),
    ("ru", "en", "Мы поддерживаем проект, в особенности вторую главу о сетях сообществ и роли местных властей в их "
     "финансировании. See the annex for details. Просим секретариат опубликовать ответы всех государств-членов "
     "до следующего заседания совета."),
    ("zh", "en", "我们支持该草案，特别是关于社区网络以及地方当局在其融资中作用的第二章。See the annex. 我们请秘书处在理事会下次会议之前"
     "公布每个成员国的答复，并说明如何考虑这些意见。"),
    ("ar", "en", "نحن نؤيد المشروع، ولا سيما الفصل الثاني المتعلق بشبكات المجتمعات المحلية ودور السلطات المحلية في "
     "تمويلها. See the annex. ونطلب من الأمانة أن تنشر ردود جميع الدول الأعضاء قبل الاجتماع القادم للمجلس."),
]
HALVES = [
    ("en", "fr", "We support the draft and its second chapter on community networks. "
     "Nous soutenons le projet et son deuxième chapitre sur les réseaux communautaires."),
    ("en", "ru", "We support the draft and its second chapter on community networks. "
     "Мы поддерживаем проект и его вторую главу о сетях сообществ."),
    ("es", "fr", "Apoyamos el proyecto y su segundo capítulo sobre las redes comunitarias. "
     "Nous soutenons le projet et son deuxième chapitre sur les réseaux communautaires."),
]


def main():
    repo = sys.argv[1]
    seed_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "..", "shared", "seed")
    rng = random.Random(11)
    rows = []
    for lang in LANGS:
        sentences = po_sentences(os.path.join(repo, "po", lang + ".po"), lang == "en")
        short = [s for s in sentences if len(s.encode("utf-8")) <= 120]
        for s in rng.sample(short, min(PER_KIND, len(short))):
            rows.append(("short", lang, s))
        for kind, size in SIZES.items():
            for _ in range(PER_KIND):
                rows.append((kind, lang, joined(rng, sentences, size)))
    for path in sorted(glob.glob(os.path.join(seed_dir, "*.txt"))):
        letter = re.sub(r"\s+", " ", re.sub(r"\]\([^)]*\)|[#*\[\]\\]", " ", open(path, encoding="utf-8").read()))
        for kind, size in SIZES.items():
            for start in range(0, max(1, len(letter) - size), max(1, (len(letter) - size) // 5 or 1)):
                rows.append(("seed-" + kind, "en", cut(letter[start:], size)))
    for main_lang, other, text in MIXED:
        rows.append(("mixed-most", main_lang, text))
    for a, b, text in HALVES:
        rows.append(("mixed-half", a + "|" + b, text))
    for text in OTHER:
        rows.append(("other", "", text))
    for text in NAMES:
        rows.append(("names", "", text))
    for kind, expected, text in rows:
        print("%s\t%s\t%s" % (kind, expected, text.replace("\t", " ").replace("\n", " ")))


if __name__ == "__main__":
    main()
