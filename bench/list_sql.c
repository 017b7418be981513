/*
 * bench-list-sql — bench/list.sh's driver: prints every statement of the public list of contributions
 * (core/contribution.c: contribution_public_sql_order, contribution_public_sql) for every combination of
 * narrowings, one a line: category given (0/1), country given (0/1), comment type ("-" for none), campaign
 * ("any", "none" or "one"), the order (enum contribution_public_order's number, or "count"), a tab, the SQL.
 * The bench reads each measured request's plan from SQLite with it (EXPLAIN QUERY PLAN of the very statement).
 */
#include "core/contribution.h"

#include <stdio.h>

int main(void)
{
	static const char *const types[] = {NULL, "general", "technical", "editorial"};
	static const int64_t campaigns[] = {0, CONTRIBUTION_NO_CAMPAIGN, 1};
	static const char *const campaign_names[] = {"any", "none", "one"};
	for (int cat = 0; cat < 2; cat++)
		for (int ctry = 0; ctry < 2; ctry++)
			for (int type = 0; type < 4; type++)
				for (int k = 0; k < 3; k++) {
					const struct contribution_filter f = {.category = cat ? "x" : NULL,
					                                      .country = ctry ? "CH" : NULL,
					                                      .type = types[type],
					                                      .campaign = campaigns[k]};
					const char *head = types[type] ? types[type] : "-";
					for (int o = 0; o < CONTRIBUTION_PUBLIC_ORDERS; o++)
						printf("%d %d %s %s %d\t%s\n", cat, ctry, head, campaign_names[k], o,
						       contribution_public_sql_order(&f, (enum contribution_public_order)o));
					printf("%d %d %s %s count\t%s\n", cat, ctry, head, campaign_names[k],
					       contribution_public_sql(&f, true));
				}
	return fflush(stdout) == 0 ? 0 : 1;
}
