-- Nothing to take back: the running version uses the greetings table.
SELECT 1;
