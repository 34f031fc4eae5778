-- A clinic's profile (issue 10): what its printed invoices carry, and the time zone its days,
-- months, invoice numbers and reports are counted in. `clinics.name` stays the clinic's name;
-- the rest is here, set with `vetsync clinics set`. '' means "not set". The formats are checked
-- here too; control digits and whether the requisites belong together are checked by the shared
-- validator (validateClinicProfile) before a row is written.

-- True for a time zone PostgreSQL can count local dates in (AT TIME ZONE), false otherwise.
CREATE FUNCTION vetsync_is_time_zone(tz text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM now() AT TIME ZONE tz;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;

CREATE TABLE clinic_profiles (
  clinic_id              text PRIMARY KEY REFERENCES clinics (id),
  legal_name             text NOT NULL DEFAULT '',
  address                text NOT NULL DEFAULT '',
  phone                  text NOT NULL DEFAULT '',
  inn                    text NOT NULL DEFAULT '' CHECK (inn ~ '^([0-9]{10}|[0-9]{12})?$'),
  kpp                    text NOT NULL DEFAULT '' CHECK (kpp ~ '^([0-9]{4}[0-9A-Z]{2}[0-9]{3})?$'),
  ogrn                   text NOT NULL DEFAULT '' CHECK (ogrn ~ '^([0-9]{13}|[0-9]{15})?$'),
  bank_name              text NOT NULL DEFAULT '',
  bik                    text NOT NULL DEFAULT '' CHECK (bik ~ '^([0-9]{9})?$'),
  account                text NOT NULL DEFAULT '' CHECK (account ~ '^([0-9]{20})?$'),
  correspondent_account  text NOT NULL DEFAULT '' CHECK (correspondent_account ~ '^([0-9]{20})?$'),
  time_zone              text NOT NULL DEFAULT '' CHECK (time_zone = '' OR vetsync_is_time_zone(time_zone)),
  updated_at             timestamptz(3) NOT NULL DEFAULT now()
);

-- The bridge republishes a clinic's `profile` document when its profile or its name changes.
CREATE FUNCTION vetsync_profile_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'clinics' THEN
    IF NEW.name IS DISTINCT FROM OLD.name THEN PERFORM pg_notify('vetsync_profile', NEW.id); END IF;
  ELSE
    PERFORM pg_notify('vetsync_profile', NEW.clinic_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER clinic_profiles_changed AFTER INSERT OR UPDATE ON clinic_profiles
  FOR EACH ROW EXECUTE FUNCTION vetsync_profile_changed();
CREATE TRIGGER clinics_renamed AFTER UPDATE OF name ON clinics
  FOR EACH ROW EXECUTE FUNCTION vetsync_profile_changed();
