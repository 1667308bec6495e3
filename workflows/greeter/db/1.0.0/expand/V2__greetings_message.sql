-- Expand for 1.0.0: the new greeting reads `message`; the old version keeps using `text`, untouched.
ALTER TABLE greetings ADD COLUMN message text;
UPDATE greetings SET message = text || '!' WHERE message IS NULL;
