ALTER TABLE orders ADD COLUMN note text;
INSERT INTO no_such_table VALUES (1);
