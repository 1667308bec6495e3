-- Expand: the new version reads and writes `message`; the old version keeps using `text`, untouched.
ALTER TABLE greetings ADD COLUMN message text;
UPDATE greetings SET message = text WHERE message IS NULL;
