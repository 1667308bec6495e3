-- Contract for 1.0.1 (after contract V1 of 1.0.0): every greeting has a locale from now on.
UPDATE greetings SET locale = 'en' WHERE locale IS NULL;
ALTER TABLE greetings ALTER COLUMN locale SET NOT NULL;
