DROP TABLE order_events;
SELECT * FROM no_such_table;
