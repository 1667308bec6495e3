-- The table the running version of the example service already uses. Created here (if missing) only so the
-- example works on an empty database; on a real service it would already exist.
CREATE TABLE IF NOT EXISTS greetings (
  id bigint PRIMARY KEY,
  text text NOT NULL
);
INSERT INTO greetings (id, text) VALUES (1, 'hello'), (2, 'bonjour') ON CONFLICT (id) DO NOTHING;
