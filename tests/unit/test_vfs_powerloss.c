/* The test-only power-loss VFS at the file level: what is written is read
 * back (by every handle on the file) but reaches the real file only at
 * xSync; truncations, holes and short reads behave like a file's. The
 * integration test (test_powerloss.py) relies on exactly this. */
#include "store/vfs_powerloss.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/consulta-test-vfs-XXXXXX";
static char path[256];
static sqlite3_vfs *vfs;

static int setup(void **state)
{
	(void)state;
	struct error e;
	error_clear(&e);
	if (!mkdtemp(dir) || vfs_powerloss_register(&e) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/file.db", dir);
	vfs = sqlite3_vfs_find("powerloss");
	return vfs && vfs == sqlite3_vfs_find(NULL) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static sqlite3_file *open_file(void)
{
	sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
	assert_non_null(f);
	int out = 0;
	assert_int_equal(vfs->xOpen(vfs, path, f, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE,
				    &out),
			 SQLITE_OK);
	return f;
}

static void close_file(sqlite3_file *f)
{
	assert_int_equal(f->pMethods->xClose(f), SQLITE_OK);
	free(f);
}

static off_t real_size(void)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void real_read(void *buf, size_t n, off_t off)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, n, off), (ssize_t)n);
	close(fd);
}

static void test_writes_reach_the_file_only_at_sync(void **state)
{
	(void)state;
	static unsigned char data[10000], back[10100], zeros[5000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + 1);
	sqlite3_file *f = open_file();
	assert_int_equal(f->pMethods->xWrite(f, data, sizeof data, 100), SQLITE_OK);
	sqlite3_int64 size = 0;
	assert_int_equal(f->pMethods->xFileSize(f, &size), SQLITE_OK);
	assert_int_equal(size, 10100);
	assert_int_equal(real_size(), 0); /* the power cut would lose it all */

	/* Read back, from this handle and from another one (a page cache is per file). */
	sqlite3_file *g = open_file();
	assert_int_equal(g->pMethods->xRead(g, back, sizeof back, 0), SQLITE_OK);
	assert_memory_equal(back, zeros, 100);
	assert_memory_equal(back + 100, data, sizeof data);
	/* Past the end: a short read, the rest zeroed. */
	memset(back, 0xff, sizeof back);
	assert_int_equal(g->pMethods->xRead(g, back, 200, 10000), SQLITE_IOERR_SHORT_READ);
	assert_memory_equal(back, data + 9900, 100);
	assert_memory_equal(back + 100, zeros, 100);
	/* An empty file on disk is still there for SQLite: its size is the written one. */
	int exists = 0;
	assert_int_equal(vfs->xAccess(vfs, path, SQLITE_ACCESS_EXISTS, &exists), SQLITE_OK);
	assert_true(exists);

	assert_int_equal(g->pMethods->xSync(g, SQLITE_SYNC_NORMAL), SQLITE_OK);
	assert_int_equal(real_size(), 10100);
	real_read(back, sizeof data, 100);
	assert_memory_equal(back, data, sizeof data);

	/* A truncation, then a write past a hole: the hole reads as zeros, not as the old bytes. */
	assert_int_equal(f->pMethods->xTruncate(f, 50), SQLITE_OK);
	assert_int_equal(real_size(), 10100);
	assert_int_equal(f->pMethods->xWrite(f, "tail", 4, 5000), SQLITE_OK);
	assert_int_equal(f->pMethods->xFileSize(f, &size), SQLITE_OK);
	assert_int_equal(size, 5004);
	assert_int_equal(f->pMethods->xRead(f, back, 5004, 0), SQLITE_OK);
	assert_memory_equal(back, zeros, 50);
	assert_memory_equal(back + 50, zeros, 4950);
	assert_memory_equal(back + 5000, "tail", 4);
	assert_int_equal(f->pMethods->xSync(f, SQLITE_SYNC_FULL), SQLITE_OK);
	assert_int_equal(real_size(), 5004);
	real_read(back, 5004, 0);
	assert_memory_equal(back + 50, zeros, 4950);
	assert_memory_equal(back + 5000, "tail", 4);

	/* Closing does not sync: the next opener still sees the write, the disk does not. */
	assert_int_equal(f->pMethods->xWrite(f, "late", 4, 0), SQLITE_OK);
	close_file(f);
	close_file(g);
	f = open_file();
	assert_int_equal(f->pMethods->xRead(f, back, 4, 0), SQLITE_OK);
	assert_memory_equal(back, "late", 4);
	real_read(back, 4, 0);
	assert_memory_equal(back, zeros, 4);
	close_file(f);

	/* Deleting the file forgets what was never synced. */
	assert_int_equal(vfs->xDelete(vfs, path, 0), SQLITE_OK);
	f = open_file();
	assert_int_equal(f->pMethods->xFileSize(f, &size), SQLITE_OK);
	assert_int_equal(size, 0);
	close_file(f);
}

/* A whole database through SQLite on the VFS: committed with synchronous=FULL
 * it is on disk; with OFF it is only in memory. */
static void test_a_database_on_it(void **state)
{
	(void)state;
	char db_path[300];
	snprintf(db_path, sizeof db_path, "%s/whole.db", dir);
	for (int full = 0; full < 2; full++) {
		sqlite3 *db = NULL;
		assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db,
					      full ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
						   : "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS t (x); INSERT INTO t VALUES (1);", NULL,
					      NULL, NULL),
				 SQLITE_OK);
		char wal[320];
		snprintf(wal, sizeof wal, "%s-wal", db_path);
		struct stat st;
		assert_int_equal(stat(wal, &st), 0);
		if (full)
			assert_true(st.st_size > 0);
		else
			assert_int_equal(st.st_size, 0); /* committed, but a power cut now would lose it */
		sqlite3_close(db); /* the last connection checkpoints and syncs (or not, with OFF) */
	}
	char name[320];
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "%s%s", db_path, suffixes[i]);
		unlink(name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_reach_the_file_only_at_sync),
		cmocka_unit_test(test_a_database_on_it),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
