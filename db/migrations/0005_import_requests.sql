-- `vetsync import`: a request the running bridge carries out (it holds the documents and
-- the relay connection), with its outcome for the command to report.
CREATE TABLE import_requests (
  id            bigserial PRIMARY KEY,
  clinic_id     text NOT NULL REFERENCES clinics (id),
  requested_at  timestamptz(3) NOT NULL DEFAULT now(),
  finished_at   timestamptz(3),
  result        jsonb,
  error         text
);

CREATE FUNCTION vetsync_import_requested() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vetsync_import', NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER import_requested AFTER INSERT ON import_requests
  FOR EACH ROW EXECUTE FUNCTION vetsync_import_requested();

CREATE FUNCTION vetsync_import_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.finished_at IS NOT NULL AND OLD.finished_at IS NULL THEN
    PERFORM pg_notify('vetsync_import_done', NEW.id::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER import_finished AFTER UPDATE ON import_requests
  FOR EACH ROW EXECUTE FUNCTION vetsync_import_finished();
