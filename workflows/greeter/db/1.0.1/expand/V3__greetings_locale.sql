-- Expand for 1.0.1: greetings get a locale (additive; 1.0.0 never reads it). V1 and V2 came with 1.0.0.
ALTER TABLE greetings ADD COLUMN locale text;
