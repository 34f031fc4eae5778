-- Clinics, desks and the records the desks write (projected from the documents).
-- Timestamps are timestamptz(3): the documents carry millisecond ISO strings, so a row
-- and its document value compare equal and nothing is written twice.

CREATE TABLE clinics (
  id          text PRIMARY KEY,
  name        text NOT NULL DEFAULT '',
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE desks (
  id             text PRIMARY KEY,
  clinic_id      text NOT NULL REFERENCES clinics (id),
  first_seen_at  timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE clients (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  clinic_id    text NOT NULL REFERENCES clinics (id),
  name         text NOT NULL CHECK (btrim(name) <> ''),
  phone        text NOT NULL DEFAULT '',
  email        text NOT NULL DEFAULT '',
  address      text NOT NULL DEFAULT '',
  notes        text NOT NULL DEFAULT '',
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at   timestamptz(3),
  created_by   text NOT NULL DEFAULT 'web',
  updated_by   text NOT NULL DEFAULT 'web',
  row_version  integer NOT NULL DEFAULT 1
);
CREATE INDEX clients_clinic_name ON clients (clinic_id, name);
CREATE INDEX clients_phone ON clients (phone);

CREATE TABLE patients (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  clinic_id    text NOT NULL REFERENCES clinics (id),
  client_id    uuid NOT NULL REFERENCES clients (id),
  name         text NOT NULL CHECK (btrim(name) <> ''),
  species      text NOT NULL,
  breed        text NOT NULL DEFAULT '',
  sex          text NOT NULL DEFAULT 'unknown' CHECK (sex IN ('male', 'female', 'unknown')),
  birth_date   date,
  chip         text NOT NULL DEFAULT '',
  notes        text NOT NULL DEFAULT '',
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at   timestamptz(3),
  created_by   text NOT NULL DEFAULT 'web',
  updated_by   text NOT NULL DEFAULT 'web',
  row_version  integer NOT NULL DEFAULT 1
);
CREATE INDEX patients_client ON patients (client_id);
CREATE INDEX patients_clinic_species ON patients (clinic_id, species, breed);

CREATE TABLE appointments (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  clinic_id    text NOT NULL REFERENCES clinics (id),
  client_id    uuid NOT NULL REFERENCES clients (id),
  patient_id   uuid NOT NULL REFERENCES patients (id),
  vet          text NOT NULL,
  starts_at    timestamptz(3) NOT NULL,
  ends_at      timestamptz(3) NOT NULL,
  reason       text NOT NULL DEFAULT '',
  status       text NOT NULL DEFAULT 'scheduled'
               CHECK (status IN ('scheduled', 'arrived', 'done', 'cancelled', 'no_show')),
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at   timestamptz(3),
  created_by   text NOT NULL DEFAULT 'web',
  updated_by   text NOT NULL DEFAULT 'web',
  row_version  integer NOT NULL DEFAULT 1,
  CHECK (ends_at > starts_at)
);
CREATE INDEX appointments_clinic_start ON appointments (clinic_id, starts_at);
CREATE INDEX appointments_vet_start ON appointments (vet, starts_at);

CREATE TABLE invoices (
  id             uuid PRIMARY KEY,
  clinic_id      text NOT NULL REFERENCES clinics (id),
  number         text NOT NULL,
  client_id      uuid NOT NULL REFERENCES clients (id),
  patient_id     uuid REFERENCES patients (id),
  vet            text NOT NULL DEFAULT '',
  issued_at      timestamptz(3) NOT NULL,
  status         text NOT NULL CHECK (status IN ('issued', 'paid', 'void')),
  paid_at        timestamptz(3),
  total_kopecks  bigint NOT NULL CHECK (total_kopecks >= 0),
  created_at     timestamptz(3) NOT NULL,
  updated_at     timestamptz(3) NOT NULL,
  deleted_at     timestamptz(3),
  created_by     text NOT NULL,
  updated_by     text NOT NULL,
  row_version    integer NOT NULL DEFAULT 1,
  UNIQUE (clinic_id, number)
);
CREATE INDEX invoices_clinic_issued ON invoices (clinic_id, issued_at);

CREATE TABLE invoice_items (
  invoice_id     uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  line_no        integer NOT NULL CHECK (line_no >= 0),
  line_id        text NOT NULL,
  item_id        text NOT NULL,
  code           text NOT NULL DEFAULT '',
  name           text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('service', 'product')),
  price_kopecks  bigint NOT NULL CHECK (price_kopecks >= 0),
  qty_milli      integer NOT NULL CHECK (qty_milli > 0),
  total_kopecks  bigint NOT NULL,
  PRIMARY KEY (invoice_id, line_no),
  CHECK (total_kopecks = round(price_kopecks * qty_milli / 1000.0))
);

-- The price list: PostgreSQL is the master, the bridge publishes it to the desks.
CREATE TABLE nomenclature (
  clinic_id      text NOT NULL REFERENCES clinics (id),
  id             text NOT NULL DEFAULT gen_random_uuid()::text,
  code           text NOT NULL,
  name           text NOT NULL,
  kind           text NOT NULL DEFAULT 'service' CHECK (kind IN ('service', 'product')),
  price_kopecks  bigint NOT NULL CHECK (price_kopecks >= 0),
  unit           text NOT NULL DEFAULT '',
  active         boolean NOT NULL DEFAULT true,
  updated_at     timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (clinic_id, id),
  UNIQUE (clinic_id, code)
);
