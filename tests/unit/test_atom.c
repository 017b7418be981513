/* The Atom writer (render/atom.c): the tag: URI authority from the public URL, every text escaped and read back
 * by libxml2 exactly as given, characters XML cannot hold left out, links absolute, instants RFC 3339 UTC. */
#include "render/atom.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static void test_authority_is_the_public_host(void **state)
{
	(void)state;
	const char *cases[][2] = {
	    {"https://consult.example.org", "consult.example.org"},
	    {"https://Consult.Example.ORG:8443", "consult.example.org"},
	    {"http://user@host.example/path", "host.example"},
	    {"http://127.0.0.1:8080", "127.0.0.1"},
	    {"http://[::1]:8080", "[::1]"},
	    {"", "localhost"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[64];
		atom_tag_authority(cases[i][0], out, sizeof out);
		assert_string_equal(out, cases[i][1]);
	}
}

/* The text of the first element named name under parent (depth first), or NULL. */
static xmlNode *find(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, name))
			return n;
		xmlNode *deeper = find(n, name);
		if (deeper)
			return deeper;
	}
	return NULL;
}

static void test_text_is_escaped_and_reads_back(void **state)
{
	(void)state;
	static const char hostile[] = "<script>alert(\"x\")</script> & ]]> 'q' \xc3\xa9t\xc3\xa9";
	const struct atom_entry entries[] = {{.id = "contribution/AB12",
	                                      .title = hostile,
	                                      .summary = "a\x01"
	                                                 "b\x1f"
	                                                 "c",
	                                      .path = "/contributions/AB12",
	                                      .author = hostile,
	                                      .category = "contribution",
	                                      .updated = 1612173600}};
	const struct atom_feed f = {.id = "call/1/feed",
	                            .title = "T & <t>",
	                            .path = "/calls/1",
	                            .self_path = "/calls/1/feed.atom",
	                            .author = "Body",
	                            .lang = "fr",
	                            .updated = 1612173600,
	                            .entries = entries,
	                            .n = 1};
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(atom_write(&b, "https://consult.example.org", "consult.example.org", &f), 0);
	assert_null(strstr(b.data, "<script"));
	xmlDoc *doc = xmlReadMemory(b.data, (int)b.len, "feed.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc); /* well-formed: no control character got through */
	xmlNode *root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "feed");
	assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2005/Atom");
	/* the language of the feed's words, as XML says it (the xml: namespace) */
	xmlChar *lang = xmlNodeGetLang(root);
	assert_non_null(lang);
	assert_string_equal((const char *)lang, "fr");
	xmlFree(lang);
	xmlNode *entry = find(root, "entry");
	assert_non_null(entry);
	xmlChar *s = xmlNodeGetContent(find(entry, "title"));
	assert_string_equal((const char *)s, hostile);
	xmlFree(s);
	s = xmlNodeGetContent(find(entry, "name"));
	assert_string_equal((const char *)s, hostile);
	xmlFree(s);
	s = xmlNodeGetContent(find(entry, "summary"));
	assert_string_equal((const char *)s, "abc");
	xmlFree(s);
	s = xmlNodeGetContent(find(entry, "id"));
	assert_string_equal((const char *)s, "tag:consult.example.org,2026:contribution/AB12");
	xmlFree(s);
	s = xmlNodeGetContent(find(entry, "updated"));
	assert_string_equal((const char *)s, "2021-02-01T10:00:00Z");
	xmlFree(s);
	s = xmlGetProp(find(entry, "link"), (const xmlChar *)"href");
	assert_string_equal((const char *)s, "https://consult.example.org/contributions/AB12");
	xmlFree(s);
	xmlFreeDoc(doc);
	buf_free(&b);
}

static void test_a_full_buffer_is_an_error(void **state)
{
	(void)state;
	const struct atom_feed f = {.id = "x", .title = "t", .path = "/", .self_path = "/f", .author = "a"};
	struct buf b;
	buf_init(&b, 16);
	assert_int_equal(atom_write(&b, "https://e.org", "e.org", &f), -1);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_authority_is_the_public_host),
	    cmocka_unit_test(test_text_is_escaped_and_reads_back),
	    cmocka_unit_test(test_a_full_buffer_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
