-- Contract for 1.0.0, once everyone has the new greeting: the old column goes.
ALTER TABLE greetings DROP COLUMN text;
