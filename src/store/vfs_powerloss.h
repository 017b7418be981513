/*
 * vfs_powerloss — a TEST-ONLY SQLite VFS that behaves like a disk whose cache
 * is lost at a power cut.
 *
 * It wraps the default (unix) VFS and keeps every write and truncation of the
 * database, its WAL and its journal in memory, per file (shared by every
 * connection of the process, as an operating system's page cache is), until
 * someone calls xSync on that file: only then does it write them to the real
 * file and fsync it. Reads and sizes are answered from that memory laid over
 * the real file. Killing the process (kill -9) is then a power cut: whatever
 * was not synced is gone, exactly the writes a real power cut may lose.
 * Locks and the WAL's shared memory (-shm) go to the real VFS unchanged: the
 * wal-index is not durable state, and SQLite rebuilds it from the WAL when
 * the first connection opens the database after the crash.
 *
 * The durability test (tests/integration/test_powerloss.py) runs the server
 * on it; the program registers it only when CONSULTA_TEST_VFS=powerloss is
 * set (db_configure), and says so loudly in the log. Never for production:
 * nothing reaches the disk before a sync, by design.
 *
 * What it does not model: a torn write inside one sync, reordering inside
 * one sync, or the loss of a file's creation or deletion (the directory is
 * always durable).
 */
#ifndef CONSULTA_STORE_VFS_POWERLOSS_H
#define CONSULTA_STORE_VFS_POWERLOSS_H

#include "util/error.h"

/* Registers the VFS "powerloss" as SQLite's default, in front of the current
 * default. Once, before any connection is opened; 0 or -1 with e filled. */
int vfs_powerloss_register(struct error *e);

#endif
