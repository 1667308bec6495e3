-- Contract: everyone runs the new version, which no longer reads or writes the text status.
ALTER TABLE orders DROP COLUMN status;
ALTER TABLE orders ALTER COLUMN status_code SET NOT NULL;
