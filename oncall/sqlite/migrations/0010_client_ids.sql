-- A journal entry carries the id its writer drew before the first attempt:
-- retried after a commit whose answer was lost (a failover), the write
-- finds its entry instead of posting it twice. NULL for older entries and
-- for those the store writes by its own rules (NULLs never conflict).
ALTER TABLE entries ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX entries_client_id ON entries(client_id);
