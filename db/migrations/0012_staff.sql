-- The clinic's staff (issue 11): vets appointments are booked with, and everyone who signs in at a
-- desk with a PIN. Kept here, set with `vetsync staff add|set`, published by the bridge to the
-- desks as the server-owned `staff` document. A PIN is stored only as its slow hash
-- (scrypt$N$r$p$salt$hash, made by @vetsync/shared's hashPin); '' means no PIN. Working hours are
-- {"1": [{"from": "09:00", "to": "18:00"}], ...} (ISO weekday -> spans), checked in full by
-- @vetsync/shared's workingHoursProblem before a row is written; here only their outline.

CREATE TABLE staff (
  clinic_id     text NOT NULL REFERENCES clinics (id),
  id            text NOT NULL CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  name          text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
  role          text NOT NULL CHECK (role IN ('vet', 'reception', 'admin')),
  active        boolean NOT NULL DEFAULT true,
  pin_hash      text NOT NULL DEFAULT ''
                CHECK (pin_hash = '' OR pin_hash ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$'),
  working_hours jsonb NOT NULL DEFAULT '{}'::jsonb
                CHECK (jsonb_typeof(working_hours) = 'object'
                       AND NOT jsonb_path_exists(working_hours, '$.keyvalue() ? (!(@.key like_regex "^[1-7]$"))')),
  updated_at    timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (clinic_id, id)
);

-- The bridge republishes a clinic's `staff` document when one of its members is added or changed.
CREATE FUNCTION vetsync_staff_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vetsync_staff', NEW.clinic_id);
  RETURN NULL;
END $$;
CREATE TRIGGER staff_changed AFTER INSERT OR UPDATE ON staff
  FOR EACH ROW EXECUTE FUNCTION vetsync_staff_changed();
