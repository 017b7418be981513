/*
 * verify — the `consulta verify` command (verify.c): receipts, checkpoints
 * and the whole tamper-evident record checked (core/ledger.h).
 */
#ifndef CONSULTA_VERIFY_H
#define CONSULTA_VERIFY_H

/* argv[0] is "verify"; the exit status: 0 verified, 1 not, 2 a usage mistake. */
int cmd_verify(int argc, char **argv);

#endif
