-- The greeter demo's database next to Temporal's (the postgres image runs this once, on an empty data directory).
CREATE USER greeter WITH PASSWORD 'greeter-demo-password';
CREATE DATABASE greeter OWNER greeter;
