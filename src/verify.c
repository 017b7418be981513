/*
 * verify — `consulta verify`: checks the tamper-evident record (core/ledger.h)
 * the way anyone holding a receipt or two checkpoints can, and the whole
 * record against the database for its operator.
 *
 *   consulta verify RECEIPT.json --checkpoint CHECKPOINT --key KEY
 *       offline: the receipt file (/receipts/{tracking}/receipt.json) holds the
 *       contribution's canonical JSON, its salt and the inclusion proof at its
 *       tree_size; the leaf is made again from the JSON and the salt, and the
 *       proof checked against the root of CHECKPOINT (a signed note, checked
 *       with KEY, the text /log/key serves). The proof must be for the
 *       checkpoint's size: download the receipt with ?size=N for an older one.
 *   consulta verify --consistency OLD NEW --key KEY (--proof FILE | --server URL)
 *       that the tree NEW signs extends the tree OLD signs: the consistency
 *       proof is taken from FILE (the JSON /log/proof/consistency answers) or
 *       fetched from the server at URL; nothing else is trusted from it.
 *   consulta verify --all [--checkpoint CHECKPOINT --key KEY]
 *       every leaf made again from the database's facts and every stored
 *       subtree from the leaves; exits 1 on any difference. With a checkpoint
 *       kept from before, also that the database's tree at its size is the
 *       one it signed (a tail cut off with its facts, or a tree rebuilt,
 *       shows only there).
 *
 * Exit status: 0 verified, 1 not verified (the reason on standard error), 2 a
 * usage mistake.
 */
#include "verify.h"

#include "core/ledger.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char VERIFY_USAGE[] =
    "usage: consulta verify RECEIPT.json --checkpoint CHECKPOINT --key KEY\n"
    "       consulta verify --consistency OLD NEW --key KEY (--proof FILE | --server URL)\n"
    "       consulta verify --all [--checkpoint CHECKPOINT --key KEY]\n";

enum { FILE_MAX = 16 * 1024 * 1024 };

/* A whole file (at most FILE_MAX bytes) in the arena, NUL-terminated; NULL with a message if it cannot be read. */
static char *read_file(struct arena *a, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "consulta verify: cannot read %s\n", path);
		return NULL;
	}
	char *data = arena_alloc(a, FILE_MAX + 1);
	size_t n = data ? fread(data, 1, FILE_MAX + 1, f) : 0;
	const bool bad = !data || ferror(f) || n > FILE_MAX;
	fclose(f);
	if (bad) {
		fprintf(stderr, "consulta verify: %s cannot be read (or is larger than %d bytes)\n", path, FILE_MAX);
		return NULL;
	}
	data[n] = '\0';
	return data;
}

/* The key file's one line, without its newline. */
static const char *read_key(struct arena *a, const char *path)
{
	char *k = read_file(a, path);
	if (k)
		k[strcspn(k, "\r\n")] = '\0';
	return k;
}

/* The hashes of a JSON array of base64 strings, in the arena; -1 if any is not one. */
static int proof_read(struct arena *a, json_t *list, unsigned char (**out)[LEDGER_HASH_LEN], int *n)
{
	if (!json_is_array(list) || json_array_size(list) > 64)
		return -1;
	*n = (int)json_array_size(list);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n > 0 ? *n : 1));
	if (!*out)
		return -1;
	for (int i = 0; i < *n; i++)
		if (ledger_unbase64(json_string_value(json_array_get(list, (size_t)i)), (*out)[i], LEDGER_HASH_LEN) !=
		    0)
			return -1;
	return 0;
}

static int not_verified(const char *why)
{
	fprintf(stderr, "consulta verify: NOT VERIFIED: %s\n", why);
	return 1;
}

static int verify_receipt(struct arena *a, const char *receipt_path, const char *checkpoint_path, const char *key_path)
{
	const char *text = read_file(a, receipt_path), *note = read_file(a, checkpoint_path),
	           *vkey = read_key(a, key_path);
	if (!text || !note || !vkey)
		return 1;
	struct error e;
	error_clear(&e);
	const char *origin = NULL;
	int64_t size = 0;
	unsigned char root[LEDGER_HASH_LEN];
	if (ledger_note_open(a, note, vkey, &origin, &size, root, &e) != 0)
		return not_verified(e.message);
	json_error_t jerr;
	json_t *r = json_loads(text, 0, &jerr);
	if (!json_is_object(r)) {
		json_decref(r);
		return not_verified("the receipt file is not a JSON object");
	}
	int rc = 1;
	const char *canonical = json_string_value(json_object_get(r, "canonical"));
	const char *salt_hex = json_string_value(json_object_get(r, "salt"));
	const char *tracking = json_string_value(json_object_get(r, "tracking"));
	json_t *index = json_object_get(r, "leaf_index"), *tree_size = json_object_get(r, "tree_size");
	unsigned char(*proof)[LEDGER_HASH_LEN] = NULL;
	int n = 0;
	unsigned char leaf_hash[LEDGER_HASH_LEN], given[LEDGER_HASH_LEN];
	if (!json_is_integer(index) || !json_is_integer(tree_size) || !tracking ||
	    proof_read(a, json_object_get(r, "proof"), &proof, &n) != 0) {
		not_verified("the receipt file lacks tracking, leaf_index, tree_size or a proof of base64 hashes");
		goto done;
	}
	if (json_integer_value(tree_size) != size) {
		fprintf(
		    stderr,
		    "consulta verify: NOT VERIFIED: the receipt's proof is for a tree of %lld leaves, the checkpoint "
		    "signs one of %lld: download the receipt again with ?size=%lld, or use the checkpoint it carries\n",
		    (long long)json_integer_value(tree_size), (long long)size, (long long)size);
		goto done;
	}
	bool have_given = ledger_unbase64(json_string_value(json_object_get(r, "leaf_hash")), given, sizeof given) == 0;
	if (canonical && salt_hex) {
		/* The leaf is made again from what the receipt says was sent: nothing of the server's is taken on trust
		 * but the canonical JSON's own fields. */
		json_t *c = json_loads(canonical, 0, &jerr);
		unsigned char salt[LEDGER_SALT_LEN];
		json_t *call = json_object_get(c, "call_id"), *at = json_object_get(c, "received_at");
		const char *ctrack = json_string_value(json_object_get(c, "tracking"));
		if (!json_is_object(c) || !json_is_integer(call) || !json_is_integer(at) || !ctrack ||
		    strcmp(ctrack, tracking) || ledger_unhex(salt_hex, salt, sizeof salt) != 0) {
			json_decref(c);
			not_verified(
			    "the receipt's canonical JSON or salt cannot be read, or names another tracking number");
			goto done;
		}
		const char *leaf =
		    ledger_contribution_leaf(a, json_integer_value(call), json_integer_value(at), canonical, salt);
		json_decref(c);
		if (!leaf) {
			not_verified("out of memory");
			goto done;
		}
		ledger_leaf_hash(leaf, strlen(leaf), leaf_hash);
		if (have_given && memcmp(given, leaf_hash, sizeof given)) {
			not_verified("the receipt's leaf_hash is not the hash of its canonical JSON and salt");
			goto done;
		}
	} else if (have_given) {
		fprintf(stderr,
		        "consulta verify: the receipt holds no canonical JSON (withheld by the secretariat): only "
		        "its leaf hash's inclusion is checked\n");
		memcpy(leaf_hash, given, sizeof given);
	} else {
		not_verified("the receipt holds neither the canonical JSON and salt nor a leaf hash");
		goto done;
	}
	if (!ledger_verify_inclusion(json_integer_value(index), size, leaf_hash,
	                             (const unsigned char(*)[LEDGER_HASH_LEN])proof, n, root)) {
		not_verified("the inclusion proof does not lead to the checkpoint's root");
		goto done;
	}
	printf("verified: contribution %s is leaf %lld of the tree of %lld leaves signed by %s\n", tracking,
	       (long long)json_integer_value(index), (long long)size, origin);
	rc = 0;
done:
	json_decref(r);
	return rc;
}

/* libcurl's writer into a growing arena-free buffer (freed by the caller). */
struct fetched {
	char *data;
	size_t len;
};

static size_t fetched_write(char *p, size_t size, size_t count, void *arg)
{
	struct fetched *f = arg;
	const size_t n = size * count;
	if (f->len + n > FILE_MAX)
		return 0;
	char *grown = realloc(f->data, f->len + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + f->len, p, n);
	f->data = grown;
	f->len += n;
	f->data[f->len] = '\0';
	return n;
}

/* The consistency proof's JSON fetched from url/log/proof/consistency; NULL with a message on failure. */
static json_t *fetch_proof(const char *server, int64_t first, int64_t second)
{
	CURL *c = curl_easy_init();
	if (!c)
		return NULL;
	char url[2048];
	snprintf(url, sizeof url, "%s/log/proof/consistency?first=%lld&second=%lld", server, (long long)first,
	         (long long)second);
	struct fetched f = {0};
	long status = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetched_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	json_t *j = NULL;
	if (rc != CURLE_OK || status != 200 || !f.data)
		fprintf(stderr, "consulta verify: %s answered %ld (%s)\n", url, status, curl_easy_strerror(rc));
	else
		j = json_loads(f.data, 0, NULL);
	free(f.data);
	return j;
}

static int verify_consistency(struct arena *a, const char *old_path, const char *new_path, const char *key_path,
                              const char *proof_path, const char *server)
{
	const char *old_note = read_file(a, old_path), *new_note = read_file(a, new_path),
	           *vkey = read_key(a, key_path);
	if (!old_note || !new_note || !vkey)
		return 1;
	struct error e;
	error_clear(&e);
	const char *o1 = NULL, *o2 = NULL;
	int64_t first = 0, second = 0;
	unsigned char r1[LEDGER_HASH_LEN], r2[LEDGER_HASH_LEN];
	if (ledger_note_open(a, old_note, vkey, &o1, &first, r1, &e) != 0 ||
	    ledger_note_open(a, new_note, vkey, &o2, &second, r2, &e) != 0)
		return not_verified(e.message);
	if (strcmp(o1, o2))
		return not_verified("the two checkpoints are of two different logs (origins differ)");
	if (first > second)
		return not_verified("the old checkpoint's tree is larger than the new one's: give them in order");
	if (first == 0) {
		/* The empty tree's root is the hash of nothing (RFC 9162 2.1.1): any other is not an empty tree. */
		unsigned char empty[LEDGER_HASH_LEN];
		crypto_hash_sha256(empty, NULL, 0);
		if (memcmp(empty, r1, sizeof empty))
			return not_verified(
			    "the old checkpoint says the tree is empty but its root is not the empty tree's");
		printf("verified: an empty tree is extended by any tree (%lld leaves)\n", (long long)second);
		return 0;
	}
	json_t *j = NULL;
	if (proof_path) {
		const char *text = read_file(a, proof_path);
		j = text ? json_loads(text, 0, NULL) : NULL;
	} else if (first != second) {
		j = fetch_proof(server, first, second);
	} else {
		j = json_pack("{s:[]}", "proof");
	}
	unsigned char(*proof)[LEDGER_HASH_LEN] = NULL;
	int n = 0;
	if (!json_is_object(j) || proof_read(a, json_object_get(j, "proof"), &proof, &n) != 0) {
		json_decref(j);
		return not_verified(
		    "no consistency proof could be read (a JSON object with a \"proof\" array of base64 hashes)");
	}
	json_decref(j);
	if (!ledger_verify_consistency(first, second, r1, r2, (const unsigned char(*)[LEDGER_HASH_LEN])proof, n))
		return not_verified("the consistency proof does not show the new tree extending the old one");
	printf("verified: the tree of %lld leaves extends the tree of %lld leaves (%s)\n", (long long)second,
	       (long long)first, o1);
	return 0;
}

static void print_difference(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "consulta verify: %s\n", line);
}

/* Whether the database's tree still has the root a checkpoint signed at its size: a tree cut short or
 * rewritten, with its facts, passes the check of each leaf against its fact, not this one. */
static int verify_against(struct arena *a, struct db *db, const char *checkpoint_path, const char *key_path)
{
	const char *note = read_file(a, checkpoint_path), *vkey = read_key(a, key_path);
	if (!note || !vkey)
		return 1;
	struct error e;
	error_clear(&e);
	const char *origin = NULL;
	int64_t size = 0, have = 0;
	unsigned char signed_root[LEDGER_HASH_LEN], root[LEDGER_HASH_LEN];
	if (ledger_note_open(a, note, vkey, &origin, &size, signed_root, &e) != 0)
		return not_verified(e.message);
	if (ledger_size(db, &have, &e) != 0) {
		fprintf(stderr, "consulta verify: %s\n", e.message);
		return 1;
	}
	if (size > have) {
		fprintf(stderr,
		        "consulta verify: NOT VERIFIED: the checkpoint signed %lld leaves and the database holds %lld: "
		        "leaves were removed\n",
		        (long long)size, (long long)have);
		return 1;
	}
	if (size == 0)
		crypto_hash_sha256(root, NULL, 0);
	else if (ledger_root(db, size, root, &e) != 0)
		return not_verified(e.message);
	if (memcmp(root, signed_root, sizeof root))
		return not_verified(
		    "the database's tree at the checkpoint's size is not the tree the checkpoint signed");
	printf("verified: the database's first %lld leaves are the tree the checkpoint of %s signed\n", (long long)size,
	       origin);
	return 0;
}

static int verify_all(struct arena *a, const char *checkpoint_path, const char *key_path)
{
	struct error e;
	error_clear(&e);
	struct db *db = db_thread(&e);
	int64_t leaves = 0, differences = 0;
	if (!db || ledger_verify_all(db, print_difference, NULL, &leaves, &differences, &e) != 0) {
		fprintf(stderr, "consulta verify: %s\n", e.message);
		return 1;
	}
	if (checkpoint_path && verify_against(a, db, checkpoint_path, key_path) != 0)
		return 1;
	if (differences) {
		fprintf(stderr, "consulta verify: NOT VERIFIED: %lld difference%s in %lld leaves\n",
		        (long long)differences, differences == 1 ? "" : "s", (long long)leaves);
		return 1;
	}
	printf("verified: %lld leaves made again from the database, and every subtree from them\n", (long long)leaves);
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	const char *receipt = NULL, *checkpoint = NULL, *key = NULL, *old_cp = NULL, *new_cp = NULL, *proof = NULL,
	           *server = NULL;
	bool all = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all"))
			all = true;
		else if (!strcmp(argv[i], "--checkpoint") && i + 1 < argc)
			checkpoint = argv[++i];
		else if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (!strcmp(argv[i], "--proof") && i + 1 < argc)
			proof = argv[++i];
		else if (!strcmp(argv[i], "--server") && i + 1 < argc)
			server = argv[++i];
		else if (!strcmp(argv[i], "--consistency") && i + 2 < argc) {
			old_cp = argv[++i];
			new_cp = argv[++i];
		} else if (argv[i][0] != '-' && !receipt)
			receipt = argv[i];
		else {
			fprintf(stderr, "consulta verify: unexpected %s\n%s", argv[i], VERIFY_USAGE);
			return 2;
		}
	}
	struct arena a;
	arena_init(&a);
	int rc = 2;
	if (all && !receipt && !old_cp && !checkpoint == !key)
		rc = verify_all(&a, checkpoint, key);
	else if (receipt && checkpoint && key && !all && !old_cp)
		rc = verify_receipt(&a, receipt, checkpoint, key);
	else if (old_cp && key && (proof || server) && !all && !receipt)
		rc = verify_consistency(&a, old_cp, new_cp, key, proof, server);
	else
		fputs(VERIFY_USAGE, stderr);
	arena_free(&a);
	return rc;
}
