-- A record whose client or patient is not in PostgreSQL yet is not a rejection: documents
-- arrive in any order (an appointment's month before its client's shard). It waits in
-- waiting_records, not written, and is projected as soon as what it references is there.
-- The bridge proves such a record valid on its own first: it writes it inside a savepoint
-- with the reference checks deferred, then rolls the savepoint back. So the foreign keys a
-- record may wait for become DEFERRABLE (INITIALLY IMMEDIATE: every other writer sees them
-- exactly as before).

ALTER TABLE patients ALTER CONSTRAINT patients_client_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE appointments ALTER CONSTRAINT appointments_client_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE appointments ALTER CONSTRAINT appointments_patient_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE invoices ALTER CONSTRAINT invoices_client_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE invoices ALTER CONSTRAINT invoices_patient_id_fkey DEFERRABLE INITIALLY IMMEDIATE;

CREATE TABLE waiting_records (
  clinic_id          text NOT NULL REFERENCES clinics (id),
  collection         text NOT NULL CHECK (collection IN ('patients', 'appointments', 'invoices')),
  record_id          uuid NOT NULL,
  -- the document holding the version that waits
  doc_key            text NOT NULL,
  -- what the record references (patient_id NULL: an invoice without a patient)
  client_id          uuid NOT NULL,
  patient_id         uuid,
  record             jsonb NOT NULL,
  record_updated_at  text NOT NULL,
  waiting_since      timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (clinic_id, collection, record_id)
);
CREATE INDEX waiting_records_client ON waiting_records (client_id);
CREATE INDEX waiting_records_patient ON waiting_records (patient_id) WHERE patient_id IS NOT NULL;

-- For the back office: what each waiting record still misses, and whether that reference was
-- itself rejected (then it waits until a desk fixes it). A reference that is soft-deleted is
-- a row, so it is never waited for: the record is projected and points at the deleted row.
CREATE VIEW report_waiting_records AS
SELECT w.clinic_id, w.collection, w.record_id, w.doc_key, w.waiting_since, m.missing,
       r.reason AS missing_rejected_because
FROM waiting_records w
CROSS JOIN LATERAL (
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = w.client_id) THEN 'clients/' || w.client_id
    WHEN w.patient_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = w.patient_id)
      THEN 'patients/' || w.patient_id
  END AS missing
) m
LEFT JOIN rejections r ON r.clinic_id = w.clinic_id AND m.missing = r.collection || '/' || r.record_id;

-- Records an earlier bridge rejected for a missing reference wait instead (the running bridge
-- projects those whose reference has arrived); the desks' rejections document loses them.
INSERT INTO waiting_records (clinic_id, collection, record_id, doc_key, client_id, patient_id, record,
                             record_updated_at, waiting_since)
SELECT clinic_id, collection, record_id::uuid, doc_key, (record ->> 'clientId')::uuid,
       CASE WHEN collection = 'patients' OR coalesce(record ->> 'patientId', '') = '' THEN NULL
            ELSE (record ->> 'patientId')::uuid END,
       record, record_updated_at, rejected_at
FROM rejections
WHERE kind = 'constraint' AND reason LIKE '%violates foreign key constraint%'
  AND collection IN ('patients', 'appointments', 'invoices')
  AND record_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  AND coalesce(record ->> 'clientId', '') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  AND coalesce(record ->> 'patientId', '') ~* '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$';

DELETE FROM rejections r
USING waiting_records w
WHERE r.clinic_id = w.clinic_id AND r.collection = w.collection AND r.record_id = w.record_id::text;
