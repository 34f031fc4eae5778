-- The projection's own state: the heads each document was projected at (written in the
-- same transaction as the document's rows) and the records it refused.

CREATE TABLE projection_heads (
  doc_id        text PRIMARY KEY,
  clinic_id     text NOT NULL REFERENCES clinics (id),
  doc_key       text NOT NULL,
  heads         text[] NOT NULL,
  projected_at  timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, doc_key)
);

CREATE TABLE rejections (
  clinic_id          text NOT NULL REFERENCES clinics (id),
  collection         text NOT NULL CHECK (collection IN ('clients', 'patients', 'appointments', 'invoices')),
  record_id          text NOT NULL,
  doc_key            text NOT NULL,
  -- 'invalid' (shared validators) or 'constraint' (PostgreSQL refused the row)
  kind               text NOT NULL CHECK (kind IN ('invalid', 'constraint')),
  reason             text NOT NULL,
  record             jsonb NOT NULL,
  record_updated_at  text NOT NULL,
  rejected_at        timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (clinic_id, collection, record_id)
);
