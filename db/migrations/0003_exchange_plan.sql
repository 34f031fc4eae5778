-- Rows that the web system writes flow back to the documents (1C-style exchange plan):
-- triggers register every change into change_log unless the bridge itself wrote the row
-- (the bridge runs `SET LOCAL vetsync.origin = 'bridge'`), so no edit echoes back.

CREATE TABLE change_log (
  id             bigserial PRIMARY KEY,
  clinic_id      text NOT NULL,
  entity         text NOT NULL CHECK (entity IN ('clients', 'patients', 'appointments')),
  entity_id      uuid NOT NULL,
  op             text NOT NULL CHECK (op IN ('INSERT', 'UPDATE', 'DELETE')),
  old_row        jsonb,
  registered_at  timestamptz(3) NOT NULL DEFAULT now(),
  consumed_at    timestamptz(3)
);
CREATE INDEX change_log_pending ON change_log (id) WHERE consumed_at IS NULL;
-- the projector does not overwrite a row with an older document version while the row's
-- own newer change is still on its way into the documents
CREATE INDEX change_log_pending_entity ON change_log (entity_id) WHERE consumed_at IS NULL;

CREATE FUNCTION vetsync_is_bridge() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('vetsync.origin', true), '') = 'bridge'
$$;

-- Keeps row_version, and updated_at / updated_by for writers that do not set them.
CREATE FUNCTION vetsync_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.row_version := OLD.row_version + 1;
  IF NOT vetsync_is_bridge() THEN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN NEW.updated_at := now(); END IF;
    IF NEW.updated_by IS NOT DISTINCT FROM OLD.updated_by THEN NEW.updated_by := 'web'; END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION vetsync_register_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF vetsync_is_bridge() THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO change_log (clinic_id, entity, entity_id, op, old_row)
      VALUES (OLD.clinic_id, TG_TABLE_NAME, OLD.id, TG_OP, to_jsonb(OLD));
    PERFORM pg_notify('vetsync_changes', OLD.clinic_id);
  ELSE
    INSERT INTO change_log (clinic_id, entity, entity_id, op)
      VALUES (NEW.clinic_id, TG_TABLE_NAME, NEW.id, TG_OP);
    PERFORM pg_notify('vetsync_changes', NEW.clinic_id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER clients_touch BEFORE UPDATE ON clients FOR EACH ROW EXECUTE FUNCTION vetsync_touch();
CREATE TRIGGER patients_touch BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION vetsync_touch();
CREATE TRIGGER appointments_touch BEFORE UPDATE ON appointments FOR EACH ROW EXECUTE FUNCTION vetsync_touch();
CREATE TRIGGER invoices_touch BEFORE UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION vetsync_touch();

CREATE TRIGGER clients_register AFTER INSERT OR UPDATE OR DELETE ON clients
  FOR EACH ROW EXECUTE FUNCTION vetsync_register_change();
CREATE TRIGGER patients_register AFTER INSERT OR UPDATE OR DELETE ON patients
  FOR EACH ROW EXECUTE FUNCTION vetsync_register_change();
CREATE TRIGGER appointments_register AFTER INSERT OR UPDATE OR DELETE ON appointments
  FOR EACH ROW EXECUTE FUNCTION vetsync_register_change();

-- The price list: any change wakes the bridge, which republishes the clinic's pricelist document.
CREATE FUNCTION vetsync_nomenclature_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('vetsync_nomenclature', OLD.clinic_id);
    RETURN OLD;
  END IF;
  PERFORM pg_notify('vetsync_nomenclature', NEW.clinic_id);
  RETURN NEW;
END $$;
CREATE TRIGGER nomenclature_changed BEFORE INSERT OR UPDATE OR DELETE ON nomenclature
  FOR EACH ROW EXECUTE FUNCTION vetsync_nomenclature_changed();

-- A new clinic: the bridge starts following its documents.
CREATE FUNCTION vetsync_clinic_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vetsync_clinics', NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER clinics_added AFTER INSERT ON clinics FOR EACH ROW EXECUTE FUNCTION vetsync_clinic_added();
