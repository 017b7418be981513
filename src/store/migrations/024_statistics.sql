-- 024: the statistics of a call or a process (core/statistics.c, core/outcome.c's
-- outcome_tally()): the contributions counted (published ones of the calls in
-- scope) grouped by category, country, channel and campaign, and by the
-- quarter-hour of their arrival, read from this index alone rather than from
-- the table, row by row: a call of 1,000,000 contributions is read in one pass
-- over its index entries instead of a million lookups per number. The state
-- comes after the groups' columns, not second: it is still read from the
-- index, and the index is then no better than the call's own for a list
-- narrowed by a campaign (SQLite chose it over contribution_campaign there,
-- reading the whole call to find a campaign's members).
CREATE INDEX contribution_statistics ON contribution
	(call_id, category_id, country, channel, campaign_id, state, received_at);
