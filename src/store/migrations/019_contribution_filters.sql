-- 019: the public list of a call's contributions narrowed by category or by
-- country (core/contribution.c: contribution_list_public()): each an index
-- search within the call, in the order of arrival, instead of a read of every
-- contribution of the call.
CREATE INDEX contribution_call_category ON contribution (call_id, category_id, id);
CREATE INDEX contribution_call_country ON contribution (call_id, country, id);
