-- Contract, after everyone runs the new version: the old column goes, and `message` becomes required.
ALTER TABLE greetings DROP COLUMN text;
ALTER TABLE greetings ALTER COLUMN message SET NOT NULL;
