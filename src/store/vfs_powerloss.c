/* vfs_powerloss — see vfs_powerloss.h. A test facility: one lock for
 * everything, simple tables; correctness over speed. */
#include "store/vfs_powerloss.h"

#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { PL_CHUNK = 4096, PL_FIRST_SLOTS = 64 };

/* One PL_CHUNK-aligned piece of a file as written but not yet synced. */
struct pl_chunk {
	int64_t index; /* the offset / PL_CHUNK */
	unsigned char *data;
};

/* A file's unsynced state (its "page cache"), shared by every handle open on
 * the same path; it lives until the file is deleted or the process ends. */
struct pl_node {
	struct pl_node *next;
	char *path;
	int refs;
	int64_t size;	   /* the size that xFileSize answers */
	int64_t real_size; /* the real file's size, as of the last sync */
	int64_t floor;	   /* the real file's bytes from here on are truncated away (not synced yet) */
	struct pl_chunk *slots; /* open addressing by index; data NULL: free */
	size_t nchunks, cap;
	bool deleted; /* unlinked while open: no longer in the list */
};

struct pl_file {
	sqlite3_file base;
	struct pl_node *node; /* NULL: passed through unchanged (temporary files) */
	sqlite3_file *real;   /* the real VFS's file, in the memory just after this struct */
};

static pthread_mutex_t pl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pl_node *pl_nodes;
static sqlite3_vfs *pl_real;
static sqlite3_vfs pl_vfs;

static int64_t pl_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static size_t pl_slot(int64_t index, size_t cap)
{
	return (size_t)(((uint64_t)index * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
}

static struct pl_chunk *pl_find(struct pl_node *n, int64_t index)
{
	if (!n->cap)
		return NULL;
	for (size_t i = pl_slot(index, n->cap); n->slots[i].data; i = (i + 1) & (n->cap - 1))
		if (n->slots[i].index == index)
			return &n->slots[i];
	return NULL;
}

static int pl_grow(struct pl_node *n)
{
	size_t cap = n->cap ? n->cap * 2 : PL_FIRST_SLOTS;
	struct pl_chunk *t = calloc(cap, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < n->cap; i++) {
		if (!n->slots[i].data)
			continue;
		size_t j = pl_slot(n->slots[i].index, cap);
		while (t[j].data)
			j = (j + 1) & (cap - 1);
		t[j] = n->slots[i];
	}
	free(n->slots);
	n->slots = t;
	n->cap = cap;
	return 0;
}

static void pl_forget(struct pl_node *n)
{
	for (size_t i = 0; i < n->cap; i++)
		free(n->slots[i].data);
	free(n->slots);
	n->slots = NULL;
	n->cap = n->nchunks = 0;
}

/* The chunk, made on first write from what the file holds there now. */
static struct pl_chunk *pl_chunk(struct pl_file *f, int64_t index)
{
	struct pl_node *n = f->node;
	struct pl_chunk *c = pl_find(n, index);
	if (c)
		return c;
	if ((n->nchunks + 1) * 2 > n->cap && pl_grow(n) != 0)
		return NULL;
	unsigned char *data = calloc(1, PL_CHUNK);
	if (!data)
		return NULL;
	int64_t start = index * PL_CHUNK;
	int64_t valid = pl_min(pl_min(n->real_size, n->floor), n->size) - start; /* real bytes still meant */
	if (valid > 0) {
		int rc = f->real->pMethods->xRead(f->real, data, (int)pl_min(valid, PL_CHUNK), start);
		if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
			free(data);
			return NULL;
		}
	}
	size_t i = pl_slot(index, n->cap);
	while (n->slots[i].data)
		i = (i + 1) & (n->cap - 1);
	n->slots[i].index = index;
	n->slots[i].data = data;
	n->nchunks++;
	return &n->slots[i];
}

/* --- the file methods ------------------------------------------------------ */

static int pl_close(sqlite3_file *file)
{
	struct pl_file *f = (struct pl_file *)file;
	if (f->node) {
		pthread_mutex_lock(&pl_lock);
		/* Closing does not sync: the unsynced writes stay in memory for the next
		 * opener, as a page cache keeps them after close(). */
		if (--f->node->refs == 0 && f->node->deleted) {
			pl_forget(f->node);
			free(f->node->path);
			free(f->node);
		}
		f->node = NULL;
		pthread_mutex_unlock(&pl_lock);
	}
	return f->real->pMethods->xClose(f->real);
}

static int pl_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	struct pl_file *f = (struct pl_file *)file;
	if (!f->node)
		return f->real->pMethods->xRead(f->real, buf, amt, off);
	pthread_mutex_lock(&pl_lock);
	struct pl_node *n = f->node;
	int rc = SQLITE_OK;
	unsigned char *out = buf;
	int64_t pos = off, end = off + amt;
	while (pos < end) {
		int64_t index = pos / PL_CHUNK, in = pos - index * PL_CHUNK;
		int64_t len = pl_min(PL_CHUNK - in, end - pos);
		unsigned char *dst = out + (pos - off);
		if (pos >= n->size) {
			memset(dst, 0, (size_t)(end - pos));
			rc = SQLITE_IOERR_SHORT_READ;
			break;
		}
		len = pl_min(len, n->size - pos);
		struct pl_chunk *c = pl_find(n, index);
		if (c) {
			memcpy(dst, c->data + in, (size_t)len);
		} else {
			int64_t valid = pl_min(pl_min(n->real_size, n->floor) - pos, len);
			if (valid > 0) {
				int r = f->real->pMethods->xRead(f->real, dst, (int)valid, pos);
				if (r != SQLITE_OK && r != SQLITE_IOERR_SHORT_READ) {
					rc = r;
					break;
				}
			} else {
				valid = 0;
			}
			memset(dst + valid, 0, (size_t)(len - valid)); /* a hole, or truncated away */
		}
		pos += len;
	}
	pthread_mutex_unlock(&pl_lock);
	return rc;
}

static int pl_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	struct pl_file *f = (struct pl_file *)file;
	if (!f->node)
		return f->real->pMethods->xWrite(f->real, buf, amt, off);
	pthread_mutex_lock(&pl_lock);
	struct pl_node *n = f->node;
	const unsigned char *in = buf;
	int64_t pos = off, end = off + amt;
	int rc = SQLITE_OK;
	while (pos < end) {
		int64_t index = pos / PL_CHUNK, at = pos - index * PL_CHUNK;
		int64_t len = pl_min(PL_CHUNK - at, end - pos);
		struct pl_chunk *c = pl_chunk(f, index);
		if (!c) {
			rc = SQLITE_IOERR_NOMEM;
			break;
		}
		memcpy(c->data + at, in + (pos - off), (size_t)len);
		pos += len;
		if (pos > n->size)
			n->size = pos;
	}
	pthread_mutex_unlock(&pl_lock);
	return rc;
}

static int pl_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct pl_file *f = (struct pl_file *)file;
	if (!f->node)
		return f->real->pMethods->xTruncate(f->real, size);
	pthread_mutex_lock(&pl_lock);
	struct pl_node *n = f->node;
	n->size = size;
	n->floor = pl_min(n->floor, size);
	/* Chunks past the end go; the one the end falls in keeps only what is before it. */
	struct pl_chunk *old = n->slots;
	size_t oldcap = n->cap;
	n->slots = NULL;
	n->cap = n->nchunks = 0;
	int rc = SQLITE_OK;
	for (size_t i = 0; i < oldcap; i++) {
		struct pl_chunk c = old[i];
		if (!c.data)
			continue;
		int64_t start = c.index * PL_CHUNK;
		if (start >= size || rc != SQLITE_OK) {
			free(c.data);
			continue;
		}
		if (size - start < PL_CHUNK)
			memset(c.data + (size - start), 0, (size_t)(PL_CHUNK - (size - start)));
		if ((n->nchunks + 1) * 2 > n->cap && pl_grow(n) != 0) {
			free(c.data);
			rc = SQLITE_IOERR_NOMEM;
			continue;
		}
		size_t j = pl_slot(c.index, n->cap);
		while (n->slots[j].data)
			j = (j + 1) & (n->cap - 1);
		n->slots[j] = c;
		n->nchunks++;
	}
	free(old);
	pthread_mutex_unlock(&pl_lock);
	return rc;
}

/* The power-safe moment: everything written reaches the real file, then fsync. */
static int pl_sync(sqlite3_file *file, int flags)
{
	struct pl_file *f = (struct pl_file *)file;
	if (!f->node)
		return f->real->pMethods->xSync(f->real, flags);
	pthread_mutex_lock(&pl_lock);
	struct pl_node *n = f->node;
	const sqlite3_io_methods *m = f->real->pMethods;
	int rc = SQLITE_OK;
	if (n->floor < n->real_size)
		rc = m->xTruncate(f->real, n->floor); /* what was truncated away, before any rewrite */
	for (size_t i = 0; rc == SQLITE_OK && i < n->cap; i++) {
		struct pl_chunk *c = &n->slots[i];
		int64_t start = c->index * PL_CHUNK;
		if (c->data && start < n->size)
			rc = m->xWrite(f->real, c->data, (int)pl_min(PL_CHUNK, n->size - start), start);
	}
	sqlite3_int64 real = 0;
	if (rc == SQLITE_OK)
		rc = m->xFileSize(f->real, &real);
	if (rc == SQLITE_OK && real != n->size)
		rc = m->xTruncate(f->real, n->size); /* a hole at the end, or a shorter file */
	if (rc == SQLITE_OK)
		rc = m->xSync(f->real, flags);
	if (rc == SQLITE_OK) {
		pl_forget(n);
		n->real_size = n->size;
		n->floor = INT64_MAX;
	}
	pthread_mutex_unlock(&pl_lock);
	return rc;
}

static int pl_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct pl_file *f = (struct pl_file *)file;
	if (!f->node)
		return f->real->pMethods->xFileSize(f->real, size);
	pthread_mutex_lock(&pl_lock);
	*size = f->node->size;
	pthread_mutex_unlock(&pl_lock);
	return SQLITE_OK;
}

static int pl_file_control(sqlite3_file *file, int op, void *arg)
{
	struct pl_file *f = (struct pl_file *)file;
	/* Hints that would grow the real file behind the buffer's back: declined (they are only hints). */
	if (f->node && (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE))
		return SQLITE_NOTFOUND;
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int pl_device_characteristics(sqlite3_file *file)
{
	struct pl_file *f = (struct pl_file *)file;
	/* No batch-atomic writes: every write goes through the buffer. */
	return f->real->pMethods->xDeviceCharacteristics(f->real) & ~SQLITE_IOCAP_BATCH_ATOMIC;
}

/* Locks and shared memory: the real VFS's, unchanged. */
static int pl_lock_file(sqlite3_file *file, int level)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xLock(f->real, level);
}

static int pl_unlock_file(sqlite3_file *file, int level)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xUnlock(f->real, level);
}

static int pl_check_reserved(sqlite3_file *file, int *out)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int pl_sector_size(sqlite3_file *file)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xSectorSize(f->real);
}

static int pl_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **p)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xShmMap(f->real, region, size, extend, p);
}

static int pl_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void pl_shm_barrier(sqlite3_file *file)
{
	struct pl_file *f = (struct pl_file *)file;
	f->real->pMethods->xShmBarrier(f->real);
}

static int pl_shm_unmap(sqlite3_file *file, int delete_flag)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

/* Version 2: shared memory, but no xFetch, so SQLite never maps the real file. */
static const sqlite3_io_methods pl_methods = {
	.iVersion = 2,
	.xClose = pl_close,
	.xRead = pl_read,
	.xWrite = pl_write,
	.xTruncate = pl_truncate,
	.xSync = pl_sync,
	.xFileSize = pl_file_size,
	.xLock = pl_lock_file,
	.xUnlock = pl_unlock_file,
	.xCheckReservedLock = pl_check_reserved,
	.xFileControl = pl_file_control,
	.xSectorSize = pl_sector_size,
	.xDeviceCharacteristics = pl_device_characteristics,
	.xShmMap = pl_shm_map,
	.xShmLock = pl_shm_lock,
	.xShmBarrier = pl_shm_barrier,
	.xShmUnmap = pl_shm_unmap,
};

/* --- the VFS ---------------------------------------------------------------- */

static struct pl_node *pl_node_find(const char *path)
{
	for (struct pl_node *n = pl_nodes; n; n = n->next)
		if (!strcmp(n->path, path))
			return n;
	return NULL;
}

static int pl_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	struct pl_file *f = (struct pl_file *)file;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	int rc = pl_real->xOpen(pl_real, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK)
		return rc; /* pMethods stays NULL: SQLite will not call xClose */
	bool buffered = name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL |
					  SQLITE_OPEN_SUPER_JOURNAL));
	if (buffered) {
		pthread_mutex_lock(&pl_lock);
		struct pl_node *n = pl_node_find(name);
		if (!n) {
			sqlite3_int64 size = 0;
			n = calloc(1, sizeof *n);
			if (!n || !(n->path = strdup(name)) || f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK) {
				free(n ? n->path : NULL);
				free(n);
				pthread_mutex_unlock(&pl_lock);
				f->real->pMethods->xClose(f->real);
				return SQLITE_CANTOPEN;
			}
			n->size = n->real_size = size;
			n->floor = INT64_MAX;
			n->next = pl_nodes;
			pl_nodes = n;
		}
		n->refs++;
		f->node = n;
		pthread_mutex_unlock(&pl_lock);
	}
	f->base.pMethods = &pl_methods;
	return SQLITE_OK;
}

static int pl_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	pthread_mutex_lock(&pl_lock);
	for (struct pl_node **p = &pl_nodes; *p; p = &(*p)->next) {
		struct pl_node *n = *p;
		if (strcmp(n->path, name) != 0)
			continue;
		*p = n->next;
		if (n->refs == 0) {
			pl_forget(n);
			free(n->path);
			free(n);
		} else {
			n->deleted = true;
		}
		break;
	}
	pthread_mutex_unlock(&pl_lock);
	return pl_real->xDelete(pl_real, name, sync_dir);
}

static int pl_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	if (flags == SQLITE_ACCESS_EXISTS) {
		pthread_mutex_lock(&pl_lock);
		struct pl_node *n = pl_node_find(name);
		int64_t size = n ? n->size : -1;
		pthread_mutex_unlock(&pl_lock);
		if (size >= 0) {
			*out = size > 0; /* as the unix VFS says: an empty file is no file */
			return SQLITE_OK;
		}
	}
	return pl_real->xAccess(pl_real, name, flags, out);
}

static int pl_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return pl_real->xFullPathname(pl_real, name, n, out);
}

static void *pl_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return pl_real->xDlOpen(pl_real, name);
}

static void pl_dlerror(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	pl_real->xDlError(pl_real, n, msg);
}

static void (*pl_dlsym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void)
{
	(void)vfs;
	return pl_real->xDlSym(pl_real, handle, symbol);
}

static void pl_dlclose(sqlite3_vfs *vfs, void *handle)
{
	(void)vfs;
	pl_real->xDlClose(pl_real, handle);
}

static int pl_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return pl_real->xRandomness(pl_real, n, out);
}

static int pl_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return pl_real->xSleep(pl_real, us);
}

static int pl_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return pl_real->xCurrentTime(pl_real, out);
}

static int pl_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return pl_real->xGetLastError ? pl_real->xGetLastError(pl_real, n, out) : 0;
}

static int pl_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return pl_real->xCurrentTimeInt64(pl_real, out);
}

int vfs_powerloss_register(struct error *e)
{
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);
	if (!real || real->iVersion < 2 || !real->xCurrentTimeInt64) {
		error_set(e, ERROR_INTERNAL, "the power-loss test VFS needs SQLite's default VFS (version 2 or later)");
		return -1;
	}
	if (real == &pl_vfs)
		return 0;
	pl_real = real;
	pl_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct pl_file) + real->szOsFile,
		.mxPathname = real->mxPathname,
		.zName = "powerloss",
		.xOpen = pl_open,
		.xDelete = pl_delete,
		.xAccess = pl_access,
		.xFullPathname = pl_full_pathname,
		.xDlOpen = pl_dlopen,
		.xDlError = pl_dlerror,
		.xDlSym = pl_dlsym,
		.xDlClose = pl_dlclose,
		.xRandomness = pl_randomness,
		.xSleep = pl_sleep,
		.xCurrentTime = pl_current_time,
		.xGetLastError = pl_last_error,
		.xCurrentTimeInt64 = pl_current_time_int64,
	};
	int rc = sqlite3_vfs_register(&pl_vfs, 1);
	if (rc != SQLITE_OK) {
		error_set(e, ERROR_INTERNAL, "cannot register the power-loss test VFS: %s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}
