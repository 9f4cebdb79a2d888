-- The answers table, whose rows the store has packed into responses (see 0015).
DROP TABLE answers;
