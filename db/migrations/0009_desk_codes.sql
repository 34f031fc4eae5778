-- Each desk's short code, unique in its clinic (issue 10): invoice numbers are
-- <code>-<YYMM>-<sequence>, so two desks of one clinic never issue the same number, even offline.
-- `vetsync desks add` gives D1, D2 ... (the first free one) or the --code asked for; enrolment hands
-- it to the desk with its credential. A code is never given again in its clinic, not even a
-- revoked desk's: its invoices carry it. Desks registered before get D1, D2 ... in the order they
-- were added.

ALTER TABLE desk_credentials ADD COLUMN code text;

UPDATE desk_credentials d SET code = 'D' || r.n
FROM (SELECT desk_id, row_number() OVER (PARTITION BY clinic_id ORDER BY created_at, desk_id) AS n
      FROM desk_credentials) r
WHERE d.desk_id = r.desk_id;

ALTER TABLE desk_credentials ALTER COLUMN code SET NOT NULL;
-- a capital Latin letter, then up to 5 capital letters or digits: safe in a number, a file name, a URL
ALTER TABLE desk_credentials ADD CONSTRAINT desk_credentials_code_check CHECK (code ~ '^[A-Z][A-Z0-9]{0,5}$');
ALTER TABLE desk_credentials ADD CONSTRAINT desk_credentials_clinic_code_key UNIQUE (clinic_id, code);
