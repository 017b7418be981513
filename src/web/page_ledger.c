/*
 * page_ledger — the tamper-evident record on the web (core/ledger.h): the
 * signed checkpoint (/log/checkpoint) and the key that checks it (/log/key),
 * inclusion and consistency proofs as JSON (/log/proof/...), and a
 * contribution's receipt file (/receipts/{tracking}/receipt.json), which
 * `consulta verify` checks offline.
 *
 * A size, leaf or pair of sizes that the tree cannot answer for (beyond it,
 * not a number) is the asker's mistake: 400 with the reason, never 404/500.
 */
#include "core/contribution.h"
#include "core/ledger.h"
#include "util/i18n.h"
#include "web/page.h"
#include "web/routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ?name= as a whole number from 0; false (and a 400 sent) if missing or not one. */
static bool query_number(struct request *r, const char *name, int64_t *out)
{
	const char *s = request_query(r, name);
	char *end = NULL;
	errno = 0;
	long long v = s && *s >= '0' && *s <= '9' ? strtoll(s, &end, 10) : -1;
	if (v < 0 || errno || !end || *end) {
		reply_json_problem(r, 400, "bad_request",
		                   arena_printf(&r->arena, _("Give %s as a whole number (%s=0, 1, 2 ...)."), name, name));
		return false;
	}
	*out = v;
	return true;
}

/* The ledger's error as an answer: a question the tree cannot answer is 400. */
static void reply_ledger_error(struct request *r, const struct error *e)
{
	if (e->code && !strcmp(e->code, ERROR_INVALID))
		reply_json_problem(r, 400, "bad_request", e->message);
	else
		reply_json_error(r, e);
}

static json_t *proof_json(struct request *r, const unsigned char (*proof)[LEDGER_HASH_LEN], int n)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, json_string(ledger_base64(&r->arena, proof[i], LEDGER_HASH_LEN)));
	return list;
}

static void reply_text(struct request *r, const char *text)
{
	buf_reset(&r->out);
	buf_append(&r->out, text, strlen(text));
	r->out_type = "text/plain; charset=utf-8";
	r->status = 200;
}

void page_log_checkpoint(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *note = NULL;
	if (ledger_checkpoint(r->db, &r->arena, 0, &note, NULL, &e) != 0) {
		reply_ledger_error(r, &e);
		return;
	}
	reply_text(r, note);
}

void page_log_key(struct request *r)
{
	struct error e;
	error_clear(&e);
	const char *vkey = NULL;
	if (ledger_public_key(r->db, &r->arena, &vkey, &e) != 0) {
		reply_ledger_error(r, &e);
		return;
	}
	reply_text(r, arena_printf(&r->arena, "%s\n", vkey));
	r->cache_control = "public, max-age=86400";
}

void page_log_inclusion(struct request *r)
{
	int64_t leaf = 0, size = 0;
	if (!query_number(r, "leaf", &leaf) || !query_number(r, "size", &size))
		return;
	struct error e;
	error_clear(&e);
	unsigned char hash[LEDGER_HASH_LEN];
	unsigned char(*proof)[LEDGER_HASH_LEN] = NULL;
	int n = 0;
	if (ledger_inclusion(r->db, &r->arena, leaf, size, hash, &proof, &n, &e) != 0) {
		reply_ledger_error(r, &e);
		return;
	}
	reply_json(r, 200,
	           json_pack("{s:I, s:I, s:s, s:o}", "leaf_index", (json_int_t)leaf, "tree_size", (json_int_t)size,
	                     "leaf_hash", ledger_base64(&r->arena, hash, sizeof hash), "proof",
	                     proof_json(r, (const unsigned char(*)[LEDGER_HASH_LEN])proof, n)));
}

void page_log_consistency(struct request *r)
{
	int64_t first = 0, second = 0;
	if (!query_number(r, "first", &first) || !query_number(r, "second", &second))
		return;
	struct error e;
	error_clear(&e);
	unsigned char(*proof)[LEDGER_HASH_LEN] = NULL;
	int n = 0;
	if (ledger_consistency(r->db, &r->arena, first, second, &proof, &n, &e) != 0) {
		reply_ledger_error(r, &e);
		return;
	}
	reply_json(r, 200,
	           json_pack("{s:I, s:I, s:o}", "first", (json_int_t)first, "second", (json_int_t)second, "proof",
	                     proof_json(r, (const unsigned char(*)[LEDGER_HASH_LEN])proof, n)));
}

/*
 * The receipt file: what `consulta verify RECEIPT.json --checkpoint CHECKPOINT --key KEY` checks offline.
 *   tracking, leaf_index, canonical (the contribution's canonical JSON), salt (hex), leaf (the leaf's text),
 *   leaf_hash (base64), tree_size, proof (base64 hashes, the inclusion proof at tree_size), checkpoint (the
 *   signed note at tree_size), proof_url.
 * tree_size is the tree's size now, or ?size=S for a proof against an older checkpoint one keeps (S from
 * the leaf's index + 1 to the size now). Of a contribution the secretariat hid or marked as spam, the file
 * holds no canonical JSON and no salt (they would publish its text again to anyone with its number): the
 * leaf's inclusion is still proved; an author keeps the file downloaded before.
 */
void page_receipt_file(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct contribution k;
	struct ledger_entry entry;
	if (contribution_find(r->db, &r->arena, r->params[0], &k, &e) != 0 ||
	    ledger_find(r->db, LEDGER_CONTRIBUTION, k.id, &entry, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	int64_t size = 0;
	if (request_query(r, "size") && !query_number(r, "size", &size))
		return;
	const char *note = NULL, *canonical = NULL;
	unsigned char hash[LEDGER_HASH_LEN];
	unsigned char(*proof)[LEDGER_HASH_LEN] = NULL;
	int n = 0;
	if (size && size <= entry.index) {
		reply_json_problem(r, 400, "bad_request",
		                   arena_printf(&r->arena,
		                                i18n_n("The tree of %lld leaf does not hold leaf %lld yet.",
		                                       "The tree of %lld leaves does not hold leaf %lld yet.",
		                                       (unsigned long)size),
		                                (long long)size, (long long)entry.index));
		return;
	}
	if (ledger_checkpoint(r->db, &r->arena, size, &note, &size, &e) != 0 ||
	    ledger_inclusion(r->db, &r->arena, entry.index, size, hash, &proof, &n, &e) != 0) {
		reply_ledger_error(r, &e);
		return;
	}
	const bool withheld = k.state == CONTRIBUTION_HIDDEN || k.state == CONTRIBUTION_SPAM;
	if (!withheld && ledger_contribution_json(r->db, &r->arena, k.id, &canonical, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	char salt[2 * LEDGER_SALT_LEN + 1];
	salt[0] = '\0';
	for (int i = 0; i < LEDGER_SALT_LEN; i++)
		snprintf(salt + 2 * i, 3, "%02x", entry.salt[i]);
	json_t *o =
	    json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:I, s:o, s:s, s:s}", "kind", "contribution", "tracking",
	              k.tracking, "leaf_index", (json_int_t)entry.index, "call_id", (json_int_t)k.call_id,
	              "received_at", (json_int_t)k.received_at, "leaf_hash",
	              ledger_base64(&r->arena, hash, sizeof hash), "tree_size", (json_int_t)size, "proof",
	              proof_json(r, (const unsigned char(*)[LEDGER_HASH_LEN])proof, n), "checkpoint", note, "proof_url",
	              arena_printf(&r->arena, "/log/proof/inclusion?leaf=%lld&size=%lld", (long long)entry.index,
	                           (long long)size));
	if (o && canonical) {
		json_object_set_new(o, "canonical", json_string(canonical));
		json_object_set_new(o, "salt", json_string(salt));
		json_object_set_new(
		    o, "leaf",
		    json_string(ledger_contribution_leaf(&r->arena, k.call_id, k.received_at, canonical, entry.salt)));
	}
	r->content_disposition = arena_printf(&r->arena, "attachment; filename=\"receipt-%s.json\"", k.tracking);
	reply_json(r, 200, o);
}
