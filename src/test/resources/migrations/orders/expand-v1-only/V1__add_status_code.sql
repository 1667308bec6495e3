-- Expand: the new version stores the order status as a code; the old version keeps writing the text.
ALTER TABLE orders ADD COLUMN status_code smallint;

-- Backfill; a semicolon in a string ('a;b') must not split the statement.
UPDATE orders SET status_code = CASE status WHEN 'open' THEN 1 WHEN 'shipped' THEN 2 ELSE 0 END
 WHERE status_code IS NULL AND status <> 'a;b';
