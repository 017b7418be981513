-- 034: content's languages. A contribution records the language it was
-- written in (a BCP 47 tag such as 'fr': the one its sender declared, else
-- the one core/language.c detected; '' when neither is known: a text too
-- short to tell, or written before this migration). A category has a name
-- per language, given by the secretariat (core/process.c:
-- process_category_names_set); the reader sees the name in their language,
-- else the one in the process's first language, else category.name.

ALTER TABLE contribution ADD COLUMN language TEXT NOT NULL DEFAULT '';

CREATE TABLE category_name (
	category_id INTEGER NOT NULL REFERENCES category(id),
	language    TEXT NOT NULL,
	name        TEXT NOT NULL,
	PRIMARY KEY (category_id, language)
);
