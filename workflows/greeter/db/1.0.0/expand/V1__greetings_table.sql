-- The table the greeter's running version already uses (created here only so the demo works on an empty database).
CREATE TABLE IF NOT EXISTS greetings (
  id bigint PRIMARY KEY,
  text text NOT NULL
);
INSERT INTO greetings (id, text) VALUES (1, 'Hello'), (2, 'Bonjour') ON CONFLICT (id) DO NOTHING;
