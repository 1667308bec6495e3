-- Nothing to take back: the greetings table is what the running version uses, so a rollback keeps it.
SELECT 1;
