-- Migration 0012 changes nothing. The number was set aside for the review cards' outbox rows,
-- which needed no new schema; 0013 and 0014 were written meanwhile. It is kept so that the
-- numbers have no gap: a database at 11 goes through 12 to the latest as any other.
SELECT 1;
