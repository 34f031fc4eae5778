-- Desk registry (issue 5): enrolment tokens and credentials of desks and services, stored
-- only as SHA-256 hashes of high-entropy random secrets. `desks` (0001) keeps every desk id
-- the bridge has seen in records; a desk that may connect to the relay also has a row here.

CREATE TABLE desk_credentials (
  desk_id           text PRIMARY KEY REFERENCES desks (id),
  clinic_id         text NOT NULL REFERENCES clinics (id),
  name              text NOT NULL DEFAULT '',
  -- the one-time enrolment token (NULL once exchanged)
  enrol_token_hash  bytea,
  enrol_expires_at  timestamptz(3),
  -- the credential the desk keeps (NULL until enrolled)
  secret_hash       bytea,
  created_at        timestamptz(3) NOT NULL DEFAULT now(),
  enrolled_at       timestamptz(3),
  revoked_at        timestamptz(3),
  -- last authenticated request or sync message
  last_seen_at      timestamptz(3),
  CHECK (enrol_token_hash IS NULL OR octet_length(enrol_token_hash) = 32),
  CHECK (secret_hash IS NULL OR octet_length(secret_hash) = 32)
);
CREATE INDEX desk_credentials_clinic ON desk_credentials (clinic_id);

-- Services (the bridge) see every clinic.
CREATE TABLE service_credentials (
  name          text PRIMARY KEY,
  secret_hash   bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  revoked_at    timestamptz(3),
  last_seen_at  timestamptz(3)
);

-- Every relay LISTENs on vetsync_revoked and cuts the named desk or service off at once,
-- whoever revokes it (the vetsync command or plain SQL). Payload: 'desk:<id>' or 'service:<name>'.
CREATE FUNCTION vetsync_notify_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
    IF TG_TABLE_NAME = 'desk_credentials' THEN
      PERFORM pg_notify('vetsync_revoked', 'desk:' || NEW.desk_id);
    ELSE
      PERFORM pg_notify('vetsync_revoked', 'service:' || NEW.name);
    END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER desk_credentials_revoked AFTER UPDATE OF revoked_at ON desk_credentials
  FOR EACH ROW EXECUTE FUNCTION vetsync_notify_revoked();
CREATE TRIGGER service_credentials_revoked AFTER UPDATE OF revoked_at ON service_credentials
  FOR EACH ROW EXECUTE FUNCTION vetsync_notify_revoked();
