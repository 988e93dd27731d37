-- A status change is data, not text to parse back: the from and to of a
-- status entry, written by SetStatus. Older status entries are read once
-- from their text ("open → acknowledged"; → is one character).
ALTER TABLE entries ADD COLUMN status_from TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN status_to TEXT NOT NULL DEFAULT '';
UPDATE entries
   SET status_from = trim(substr(text, 1, instr(text, '→') - 1)),
       status_to   = trim(substr(text, instr(text, '→') + 1))
 WHERE kind = 'status' AND instr(text, '→') > 0;

-- A member's OS users keep the order they were given in without rowid
-- (which PostgreSQL has not).
ALTER TABLE member_os_users ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE member_os_users SET position = rowid;
