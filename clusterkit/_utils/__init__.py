"""Private helpers: input validation, memory guard, thread counts."""
