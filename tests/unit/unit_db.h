/*
 * unit_db — a fresh database for a unit test that needs one: a SQLite file in
 * a new temporary folder, migrated, with the demo loaded if asked, at a frozen
 * clock; and the folder removed again afterwards. One place for what every such
 * test did by hand in its setup and teardown.
 */
#ifndef CONSULTA_TESTS_UNIT_DB_H
#define CONSULTA_TESTS_UNIT_DB_H

#include "store/db.h"

enum unit_demo { UNIT_NO_DEMO, UNIT_DEMO, UNIT_DEMO_WITH_CONTRIBUTIONS };

/* Freezes the clock at now (CONSULTA_NOW's form, "2021-02-01T10:00:00Z"; NULL leaves it), starts the server
 * secret, makes and migrates the database and loads the demo as asked; *db is this thread's connection.
 * 0, or -1 with the reason on standard error. */
int unit_db_open(const char *now, enum unit_demo demo, struct db **db);

/* The database file, for a test that opens it with sqlite3 directly. */
const char *unit_db_path(void);

/* Closes this thread's connection and removes the file (with its WAL and shared memory) and the folder. */
void unit_db_remove(void);

#endif
