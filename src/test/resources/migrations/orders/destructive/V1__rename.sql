ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders RENAME COLUMN status TO state;
