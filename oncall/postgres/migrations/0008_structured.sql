-- A status change is data, not text to parse back: the from and to of a
-- status entry, written by SetStatus. Older status entries are read once
-- from their text ("open → acknowledged").
ALTER TABLE entries ADD COLUMN status_from TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN status_to TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE entries
   SET status_from = trim(substr(text, 1, strpos(text, '→') - 1)),
       status_to   = trim(substr(text, strpos(text, '→') + 1))
 WHERE kind = 'status' AND strpos(text, '→') > 0;

-- A member's OS users keep the order they were given in (SQLite numbered
-- them by rowid; here, by their order on disk, the same for rows never updated).
ALTER TABLE member_os_users ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE member_os_users m SET position = x.n
  FROM (SELECT os_user, row_number() OVER (ORDER BY ctid) AS n FROM member_os_users) x
 WHERE x.os_user = m.os_user;
